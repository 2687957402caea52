package dev.kiln.generations;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.Balance;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Movement;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import org.awaitility.Awaitility;

import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** A signed-up user with credits who asks for generations through the API. */
final class Requester {

	static final Duration WAIT = Duration.ofSeconds(30);

	private final WebTestClient web;

	private final CreditLedger ledger;

	private final DatabaseClient db;

	final SignedIn user;

	final UUID id;

	Requester(WebTestClient web, CreditLedger ledger, DatabaseClient db, long credits) {
		this.web = web;
		this.ledger = ledger;
		this.db = db;
		this.user = TestUsers.signUpAndLogIn(web);
		this.id = UUID.fromString((String) user.as(web).get().uri("/v1/me").exchange().expectBody(Map.class)
			.returnResult().getResponseBody().get("id"));
		if (credits > 0) {
			fund(credits);
		}
	}

	void fund(long credits) {
		ledger.credit(new Movement(IdempotencyKey.of("test-funds-" + TestIds.uuid()), new AccountId(id),
				Credits.of(credits), "test funds", null)).block();
	}

	static Map<String, Object> video(int seconds) {
		return Map.of("kind", "video", "workflow", "text-to-video", "prompt", "a red fox running through snow",
				"parameters", Map.of("duration_seconds", seconds, "resolution", "480p"));
	}

	WebTestClient.ResponseSpec request(Map<String, Object> body, String key) {
		return user.as(web).post().uri("/v1/generations").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", key).bodyValue(body).exchange();
	}

	/** Asks for a 30-second video (5 credits) and returns the job's id. */
	UUID generate() {
		return generate(video(30));
	}

	UUID generate(Map<String, Object> body) {
		Map<?, ?> job = request(body, "gen-" + TestIds.uuid()).expectStatus().isAccepted().expectBody(Map.class)
			.returnResult().getResponseBody();
		return UUID.fromString((String) job.get("id"));
	}

	Map<String, Object> job(UUID job) {
		return user.as(web).get().uri("/v1/generations/{id}", job).exchange().expectStatus().isOk()
			.expectBody(new org.springframework.core.ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
	}

	Map<String, Object> awaitJob(UUID job, Predicate<Map<String, Object>> condition) {
		return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> job(job), condition::test);
	}

	Map<String, Object> awaitStatus(UUID job, String status) {
		return awaitJob(job, view -> status.equals(view.get("status")));
	}

	Balance balance() {
		return ledger.balance(new AccountId(id)).block();
	}

	/** The statuses the job went through, from its events. */
	List<String> timeline(UUID job) {
		return db.sql("select status from job_events where job_id = :id order by version").bind("id", job)
			.map(row -> row.get("status", String.class)).all().collectList().block();
	}

	/** Ledger entries of this account of the given type. */
	long entries(String type) {
		return db.sql("select count(*) as n from balance_ledger where account_id = :id and entry_type = :type")
			.bind("id", id).bind("type", type).map(row -> row.get("n", Long.class)).one().block();
	}

	/**
	 * Lets every job the emulator holds go on, and waits until no job is at RunPod any more: a test's
	 * held jobs would otherwise take the endpoint's capacity from the next test.
	 */
	static void finishEverything(dev.kiln.testing.runpod.RunpodEmulator runpod, DatabaseClient db) {
		runpod.jobs().stream().filter(job -> !job.status().terminal()).forEach(job -> runpod.release(job.id()));
		Awaitility.await().atMost(WAIT).until(() -> db.sql("select count(*) as n from generation_jobs "
				+ "where status in ('dispatched', 'running')").map(row -> row.get("n", Long.class)).one().block() == 0);
	}
}
