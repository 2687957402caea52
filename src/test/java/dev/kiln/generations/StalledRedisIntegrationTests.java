package dev.kiln.generations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.RedisCommands;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.runpod.RunpodEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis answering late (a busy server: every command waits): the rate limits, the session check and the
 * daily quota give up on it and fail open, and every request still gets an answer. Isolated, because the
 * stall is Redis's, not this context's: any class running beside it would see it too (and so would any
 * other build using the same Redis server at the time).
 */
@KilnIntegrationTest
@Isolated
class StalledRedisIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	RunpodEmulator runpod;

	@LocalServerPort
	int port;

	@Value("${spring.data.redis.host}")
	String redisHost;

	@Value("${spring.data.redis.port}")
	int redisPort;

	@AfterEach
	void invariantsHold() {
		Requester.finishEverything(runpod, db);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void everyRequestIsAnsweredWhileRedisStalls() throws Exception {
		List<Requester> users = new ArrayList<>();
		for (int i = 0; i < 10; i++) { // 40 requests each: inside the per-user API burst of 60
			users.add(new Requester(web, ledger, db, 10_000));
		}
		WebClient client = WebClient.builder().baseUrl("http://localhost:" + port).build();
		Map<Integer, Integer> answers = new ConcurrentHashMap<>();
		AtomicBoolean sending = new AtomicBoolean(true);
		AtomicInteger stalled = new AtomicInteger();
		AtomicReference<Throwable> stallFailure = new AtomicReference<>();
		Thread stalls = Thread.ofPlatform().start(() -> {
			try {
				while (sending.get()) {
					stallRedis(Duration.ofMillis(700));
					stalled.incrementAndGet();
					pause(Duration.ofMillis(300));
				}
			}
			catch (RuntimeException ex) {
				stallFailure.set(ex);
			}
		});
		try {
			Flux.range(0, 400)
				.flatMap(i -> client.post().uri("/v1/generations")
					.header("Authorization", "Bearer " + users.get(i % users.size()).user.accessToken())
					.header("Idempotency-Key", "stall-" + TestIds.uuid())
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Requester.video(30))
					.exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
					.doOnNext(status -> answers.put(i, status)), 64)
				.blockLast(Duration.ofSeconds(60));
		}
		finally {
			sending.set(false);
			stalls.join();
		}
		assertThat(stallFailure.get()).isNull();
		assertThat(stalled.get()).isPositive();
		assertThat(answers).hasSize(400);
		assertThat(answers.values()).containsOnly(202);
	}

	/** Keeps Redis busy in a script: every other client's commands wait until it returns. */
	private void stallRedis(Duration howLong) {
		String script = "local s = redis.call('TIME') local start = s[1] * 1000000 + s[2] "
				+ "while true do local t = redis.call('TIME') if t[1] * 1000000 + t[2] - start > " + howLong.toNanos() / 1000
				+ " then return 1 end end";
		List<String> reply = RedisCommands.send(redisHost, redisPort, List.of(List.of("EVAL", script, "0")));
		if (!reply.equals(List.of(":1"))) {
			throw new IllegalStateException("Redis did not run the stall: " + reply);
		}
	}

	private static void pause(Duration howLong) {
		try {
			Thread.sleep(howLong);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
