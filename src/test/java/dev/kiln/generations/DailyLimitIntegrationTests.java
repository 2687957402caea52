package dev.kiln.generations;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.runpod.RunpodEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daily generation quota through the API: only generations that start count, so a replay or a
 * refused hold costs none, and a replay still gets its job once the day's quota is spent.
 */
@KilnIntegrationTest
@TestPropertySource(properties = "kiln.rate-limits.daily-generations.free=2")
class DailyLimitIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	RunpodEmulator runpod;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	java.time.Clock clock;

	@AfterEach
	void invariantsHold() {
		Requester.finishEverything(runpod, db);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void replaysAndRefusalsCostNoQuotaAndAReplayStillWorksOnceItIsSpent() {
		Requester alice = new Requester(web, ledger, db, 5);
		Map<String, Object> fox = Requester.video(30);
		Map<String, Object> otherFox = new HashMap<>(fox);
		otherFox.put("prompt", "a grey fox asleep");

		String first = (String) alice.request(fox, "first-key").expectStatus().isAccepted()
			.expectHeader().valueEquals("Idempotent-Replayed", "false")
			.expectBody(Map.class).returnResult().getResponseBody().get("id");
		alice.request(fox, "first-key").expectStatus().is2xxSuccessful()
			.expectHeader().valueEquals("Idempotent-Replayed", "true")
			.expectBody().jsonPath("$.id").isEqualTo(first);
		// 5 credits are held by the first job: this one is refused, and counts nothing either
		alice.request(otherFox, "broke-key").expectStatus().isEqualTo(402)
			.expectBody().jsonPath("$.code").isEqualTo("insufficient_credits");
		assertThat(used(alice)).isEqualTo(1);

		alice.fund(5);
		alice.request(otherFox, "second-key").expectStatus().isAccepted();
		assertThat(used(alice)).isEqualTo(2);

		alice.request(otherFox, "third-key").expectStatus().isEqualTo(429)
			.expectHeader().exists("Retry-After")
			.expectBody()
			.jsonPath("$.code").isEqualTo("daily_quota_exceeded")
			.jsonPath("$.plan").isEqualTo("free");
		// the day's quota is spent, yet a replay gets its job, and a reused key with another body its 422
		alice.request(fox, "first-key").expectStatus().is2xxSuccessful()
			.expectHeader().valueEquals("Idempotent-Replayed", "true")
			.expectBody().jsonPath("$.id").isEqualTo(first);
		alice.request(otherFox, "first-key").expectStatus().isEqualTo(422)
			.expectBody().jsonPath("$.code").isEqualTo("idempotency_key_reused");
		assertThat(used(alice)).isEqualTo(2);
		assertThat(db.sql("select count(*) as n from generation_jobs where user_id = :user")
			.bind("user", alice.id)
			.map(row -> row.get("n", Long.class))
			.one()
			.block()).isEqualTo(2);
		// the two jobs hold (or, finished, have posted) all 10 credits; nothing else was held
		assertThat(alice.balance().available()).isEqualTo(Credits.of(0));
	}

	/** Generations counted today against the user's free plan. */
	private long used(Requester requester) {
		String day = DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
		String count = redis.opsForValue().get("kiln:quota:free:" + requester.id + ":" + day).block();
		return count == null ? 0 : Long.parseLong(count);
	}
}
