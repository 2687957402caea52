package dev.kiln.platform;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.kiln.storage.StorageSettings;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The application's own clients reach the real Kafka broker, S3 server and Redis it is wired to. */
@KilnIntegrationTest
class InfrastructureIntegrationTests {

	@Autowired
	KafkaTemplate<Object, Object> kafka;

	@Autowired
	KafkaProperties kafkaProperties;

	@Autowired
	S3AsyncClient s3;

	@Autowired
	StorageSettings storage;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Test
	void kafkaCarriesARecordFromTheApplicationsProducer() throws Exception {
		String topic = "kiln.test." + TestIds.uuid();
		kafka.send(topic, "job-1", "hello").get();

		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", kafkaProperties.getBootstrapServers()),
				ConsumerConfig.GROUP_ID_CONFIG, "infrastructure-test", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
				"earliest"), new StringDeserializer(), new StringDeserializer())) {
			consumer.subscribe(List.of(topic));
			ConsumerRecords<String, String> records = ConsumerRecords.empty();
			for (int poll = 0; poll < 20 && records.isEmpty(); poll++) {
				records = consumer.poll(Duration.ofMillis(500));
			}
			assertThat(records).singleElement().satisfies(record -> {
				assertThat(record.key()).isEqualTo("job-1");
				assertThat(record.value()).isEqualTo("hello");
			});
		}
	}

	@Test
	void s3StoresAndReturnsAnObjectInTheConfiguredBucket() {
		String key = "generations/test/" + TestIds.uuid() + "/result.txt";

		String stored = Mono
			.fromFuture(() -> s3.putObject(put -> put.bucket(storage.bucket()).key(key).contentType("text/plain"),
					AsyncRequestBody.fromString("rendered")))
			.then(Mono.fromFuture(() -> s3.getObject(get -> get.bucket(storage.bucket()).key(key),
					AsyncResponseTransformer.toBytes())))
			.map(bytes -> bytes.asUtf8String())
			.block(Duration.ofSeconds(10));

		assertThat(stored).isEqualTo("rendered");
	}

	@Test
	void redisKeepsAValueInThisContextsOwnDatabase() {
		String key = "kiln:test:" + TestIds.uuid();

		String value = redis.opsForValue().set(key, "v", Duration.ofMinutes(1))
			.then(redis.opsForValue().get(key))
			.block(Duration.ofSeconds(5));

		assertThat(value).isEqualTo("v");
	}
}
