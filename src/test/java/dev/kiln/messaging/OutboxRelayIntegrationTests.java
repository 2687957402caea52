package dev.kiln.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.testing.KilnIntegrationTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's claims: every row reaches Kafka once while relays race for it, and a row claimed by a
 * relay that died goes out when the claim ends, not before. Rows go to a topic no one in Kiln consumes.
 */
@KilnIntegrationTest
@TestPropertySource(properties = { "kiln.messaging.relay-sweep-interval=200ms",
		"kiln.generations.video.dispatcher-enabled=false" })
class OutboxRelayIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Autowired
	DatabaseClient db;

	@Autowired
	OutboxRelay relay;

	@Autowired
	Topics topics;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	KafkaConsumer<String, String> consumer;

	final List<String> received = new ArrayList<>();

	String topic;

	@BeforeEach
	void listen() {
		topic = topics.deadLetters(Topics.GENERATION_REQUESTED);
		consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ConsumerConfig.GROUP_ID_CONFIG, "relay-test-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
				"earliest"), new StringDeserializer(), new StringDeserializer());
		consumer.subscribe(List.of(topic));
	}

	@AfterEach
	void close() {
		consumer.close();
	}

	@Test
	void everyRowReachesKafkaOnceWhileRelaysRaceForIt() {
		String prefix = "race-" + UUID.randomUUID() + "-";
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < 60; i++) {
			keys.add(prefix + i);
		}
		// the running relay wakes on each insert; four more drains run at the same time, as other replicas would
		Flux.fromIterable(keys)
			.concatMap(key -> insert(key, null))
			.thenMany(Flux.range(0, 4).flatMap(drain -> relay.drain()))
			.blockLast(WAIT);

		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			poll();
			assertThat(received.stream().filter(key -> key.startsWith(prefix))).hasSameSizeAs(keys);
		});
		Awaitility.await().during(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(this::poll);
		assertThat(received.stream().filter(key -> key.startsWith(prefix)).toList()).containsExactlyInAnyOrderElementsOf(keys);
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(unpublished(prefix)).isZero());
	}

	@Test
	void aRowClaimedByARelayThatDiedGoesOutWhenTheClaimEndsNotBefore() {
		String held = "held-" + UUID.randomUUID();
		String ended = "ended-" + UUID.randomUUID();
		insert(held, "now() + interval '1 hour'").block(WAIT);
		insert(ended, "now() - interval '1 second'").block(WAIT);

		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			poll();
			assertThat(received).contains(ended);
		});
		// several sweeps later, the row still claimed has not gone
		Awaitility.await().during(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() -> {
			poll();
			assertThat(received).doesNotContain(held);
		});
		assertThat(unpublished(held)).isOne();

		db.sql("update outbox set claimed_until = now() - interval '1 second' where message_key = :key")
			.bind("key", held)
			.then()
			.block(WAIT);
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			poll();
			assertThat(received).containsOnlyOnce(held, ended);
		});
		// marked published in the relay's second statement, which may commit after the consumer has it
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(unpublished(held)).isZero());
	}

	private reactor.core.publisher.Mono<Void> insert(String key, String claimedUntil) {
		return db.sql("insert into outbox (topic, message_key, payload, claimed_until) values (:topic, :key, '{}', "
				+ (claimedUntil == null ? "null" : claimedUntil) + ")")
			.bind("topic", topic)
			.bind("key", key)
			.then();
	}

	private long unpublished(String keyPrefix) {
		return db.sql("select count(*) as n from outbox where message_key like :prefix and published_at is null")
			.bind("prefix", keyPrefix + "%")
			.map(row -> row.get("n", Long.class))
			.one()
			.block(WAIT);
	}

	private void poll() {
		consumer.poll(Duration.ofMillis(200)).forEach(record -> received.add(record.key()));
	}
}
