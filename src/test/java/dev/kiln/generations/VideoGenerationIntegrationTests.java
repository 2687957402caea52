package dev.kiln.generations;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import dev.kiln.credits.Balance;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.credits.SpendingLocks;
import dev.kiln.credits.AccountId;
import dev.kiln.credits.HoldId;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.runpod.RunpodEmulator;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Video generations end to end: the API, PostgreSQL, the outbox relay, the in-process Kafka broker, the
 * dispatcher, the RunPod emulator (which renders a small file and uploads it to S3Proxy through the
 * presigned URL) and its webhooks.
 */
@KilnIntegrationTest
@SuppressWarnings("unchecked")
class VideoGenerationIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Autowired
	SpendingLocks locks;

	@Autowired
	DatabaseClient db;

	@Autowired
	RunpodEmulator runpod;

	@Autowired
	MeterRegistry meters;

	@Autowired
	Jobs jobs;

	@Autowired
	JobLifecycle lifecycle;

	@Autowired
	Callbacks callbacks;

	@org.springframework.beans.factory.annotation.Value("${spring.flyway.url}")
	String jdbcUrl;

	Requester alice;

	@BeforeEach
	void fund() {
		runpod.resetFaults();
		alice = new Requester(web, ledger, db, 30);
	}

	@AfterEach
	void invariantsHold() {
		runpod.resetFaults();
		Requester.finishEverything(runpod, db);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void aVideoIsRenderedStoredAndPaidForOnce() throws Exception {
		double posted = ledgerOperations("post", "posted");
		UUID job = alice.generate();
		assertThat(alice.balance()).isEqualTo(Balance.of(25, 5));

		Map<String, Object> done = alice.awaitStatus(job, "succeeded");
		assertThat(done).containsEntry("price", 5).containsEntry("cost", 5).containsEntry("progress", 100);
		assertThat(alice.balance()).isEqualTo(Balance.of(25, 0));
		assertThat(alice.timeline(job)).startsWith("queued", "dispatched").contains("running").endsWith("succeeded");
		// posted inside job_settle, and counted as the ledger counts its own operations
		assertThat(ledgerOperations("post", "posted") - posted).isEqualTo(1);

		List<?> outputs = (List<?>) done.get("outputs");
		assertThat(outputs).hasSize(1);
		String url = (String) ((Map<?, ?>) outputs.getFirst()).get("url");
		HttpResponse<byte[]> video = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(video.statusCode()).isEqualTo(200);
		assertThat(new String(video.body(), 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
		assertThat(done.toString()).doesNotContain(runpod.apiKey());
	}

	@Test
	void tenSimultaneousFiveCreditRequestsOnThirtyCreditsAdmitExactlySix() {
		runpod.holdJobs(true);
		double held = holds("held");
		double refused = holds("insufficient_credits");
		List<CompletableFuture<Integer>> answers = IntStream.range(0, 10)
			.mapToObj(i -> CompletableFuture.supplyAsync(() -> alice.request(Requester.video(30), "burst-" + TestIds.uuid())
				.returnResult(Map.class).getStatus().value()))
			.toList();
		List<Integer> statuses = answers.stream().map(CompletableFuture::join).toList();

		assertThat(statuses).filteredOn(status -> status == 202).hasSize(6);
		assertThat(statuses).filteredOn(status -> status == 402).hasSize(4);
		assertThat(alice.balance()).isEqualTo(Balance.of(0, 30));
		// the holds ran inside admit_job, and are counted as the ledger counts its own operations
		assertThat(holds("held") - held).isEqualTo(6);
		assertThat(holds("insufficient_credits") - refused).isEqualTo(4);
	}

	private double holds(String outcome) {
		return ledgerOperations("hold", outcome);
	}

	private double ledgerOperations(String operation, String outcome) {
		var counter = meters.find("kiln.credits.operations")
			.tags("operation", operation, "outcome", outcome, "replayed", "false")
			.counter();
		return counter == null ? 0 : counter.count();
	}

	@Test
	void aRefusedRequestSaysWhyAsAProblem() {
		new Requester(web, ledger, db, 0).request(Requester.video(30), "poor-" + TestIds.uuid())
			.expectStatus().isEqualTo(402)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.code").isEqualTo("insufficient_credits");

		locks.lock(new AccountId(alice.id), SpendingLocks.Reason.PAYMENT_OVERDUE, "in_test").block();
		alice.request(Requester.video(30), "overdue-" + TestIds.uuid())
			.expectStatus().isEqualTo(402)
			.expectBody().jsonPath("$.code").isEqualTo("payment_overdue")
			.jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("billing portal"));
		locks.release(new AccountId(alice.id), SpendingLocks.Reason.PAYMENT_OVERDUE, "in_test").block();
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
	}

	@Test
	void aRefusedAdmissionLeavesNothingBehind() {
		Requester poor = new Requester(web, ledger, db, 4);
		poor.request(Requester.video(30), "poor-" + TestIds.uuid()).expectStatus().isEqualTo(402)
			.expectBody().jsonPath("$.code").isEqualTo("insufficient_credits");
		assertNothingWrittenFor(poor, 4);

		Requester overdue = new Requester(web, ledger, db, 30);
		locks.lock(new AccountId(overdue.id), SpendingLocks.Reason.PAYMENT_OVERDUE, "in_test").block();
		overdue.request(Requester.video(30), "overdue-" + TestIds.uuid()).expectStatus().isEqualTo(402)
			.expectBody().jsonPath("$.code").isEqualTo("payment_overdue");
		locks.release(new AccountId(overdue.id), SpendingLocks.Reason.PAYMENT_OVERDUE, "in_test").block();
		assertNothingWrittenFor(overdue, 30);
	}

	/** The admission is one statement: the ledger's refusal record, the event counter and the rest roll back with it. */
	private void assertNothingWrittenFor(Requester refused, long funded) {
		for (String table : List.of("generation_jobs where user_id = :id", "credit_holds where account_id = :id",
				"credit_rejections where account_id = :id", "job_event_counters where user_id = :id",
				"job_events where user_id = :id", "outbox where payload like '%' || cast(:id as text) || '%'")) {
			assertThat(db.sql("select count(*) as n from " + table).bind("id", refused.id)
				.map(row -> row.get("n", Long.class)).one().block()).as(table).isZero();
		}
		assertThat(refused.balance()).isEqualTo(Balance.of(funded, 0));
	}

	@Test
	void badInputIsA400NamingEachFieldAndWritesNothing() {
		alice.request(Map.of("kind", "video", "workflow", "text-to-video", "prompt", "x",
				"parameters", Map.of("duration_seconds", 999, "fps", 60)), "bad-" + TestIds.uuid())
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("parameters.duration_seconds")
			.jsonPath("$.errors[1].field").isEqualTo("parameters.fps");
		alice.request(Map.of("kind", "video", "prompt", "x"), "bad-" + TestIds.uuid())
			.expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("workflow");
		alice.user.as(web).post().uri("/v1/generations").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Requester.video(30)).exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("Idempotency-Key");
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
		assertThat(db.sql("select count(*) as n from generation_jobs where user_id = :id").bind("id", alice.id)
			.map(row -> row.get("n", Long.class)).one().block()).isZero();
	}

	@Test
	void aRetryWithTheSameKeyIsTheSameJobAndAnotherBodyUnderItIs422() {
		runpod.holdJobs(true);
		String key = "retry-" + TestIds.uuid();
		Map<?, ?> first = alice.request(Requester.video(30), key).expectStatus().isAccepted()
			.expectHeader().valueEquals("Idempotent-Replayed", "false").expectBody(Map.class).returnResult().getResponseBody();
		Map<?, ?> again = alice.request(Requester.video(30), key).expectStatus().isAccepted()
			.expectHeader().valueEquals("Idempotent-Replayed", "true").expectBody(Map.class).returnResult().getResponseBody();

		assertThat(again.get("id")).isEqualTo(first.get("id"));
		alice.request(Requester.video(60), key).expectStatus().isEqualTo(422)
			.expectBody().jsonPath("$.code").isEqualTo("idempotency_key_reused");
		assertThat(alice.balance()).isEqualTo(Balance.of(25, 5));
	}

	@Test
	void aRequestWhoseTwinIsStillBeingAdmittedIs409() throws Exception {
		String key = "twin-" + TestIds.uuid();
		// holds the key's admission lock, as the first of two simultaneous requests would
		try (java.sql.Connection twin = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "")) {
			twin.setAutoCommit(false);
			try (java.sql.PreparedStatement lock = twin.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
				lock.setString(1, "generation:" + alice.id + ":" + key);
				lock.execute();
			}
			alice.request(Requester.video(30), key).expectStatus().isEqualTo(409)
				.expectBody().jsonPath("$.code").isEqualTo("request_in_progress");
			twin.rollback();
		}

		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
		alice.request(Requester.video(30), key).expectStatus().isAccepted();
	}

	@Test
	void aFailedRenderVoidsTheHoldAndSaysWhy() {
		runpod.failJobs("CUDA error: out of memory");
		double voided = ledgerOperations("void", "voided");
		UUID job = alice.generate();

		Map<String, Object> failed = alice.awaitStatus(job, "failed");
		assertThat((Map<String, Object>) failed.get("failure")).containsEntry("code", "failed")
			.containsEntry("detail", "CUDA error: out of memory");
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
		assertThat(ledgerOperations("void", "voided") - voided).isEqualTo(1);
	}

	@Test
	void aPostTheLedgerRefusesUndoesTheSuccess() {
		runpod.holdJobs(true);
		UUID id = alice.generate();
		alice.awaitStatus(id, "dispatched");
		Job before = jobs.find(id).block();
		// a bug settled the hold behind the job's back: success must not be recorded without its post
		ledger.voidHold(IdempotencyKey.of("test:" + id), new HoldId(before.holdId())).block();

		double refusals = ledgerOperations("post", "already_voided");
		assertThatThrownBy(() -> lifecycle.succeed(id, "[]").block()).isInstanceOf(IllegalStateException.class)
			.hasMessage("job " + id + " succeeded but its hold could not be posted: already_voided");
		assertThat(ledgerOperations("post", "already_voided") - refusals).isEqualTo(1);
		Job after = jobs.find(id).block();
		assertThat(after.status()).isEqualTo(JobStatus.DISPATCHED);
		assertThat(after.version()).isEqualTo(before.version());
		assertThat(alice.timeline(id)).doesNotContain("succeeded");
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));

		assertThat(lifecycle.cancel(id).block().status()).isEqualTo(JobStatus.CANCELED);
	}

	@Test
	void aReportedSuccessWithoutTheFileFailsTheJobAndVoidsTheHold() {
		runpod.skipUploads(true);
		UUID job = alice.generate();

		Map<String, Object> failed = alice.awaitStatus(job, "failed");
		assertThat((Map<String, Object>) failed.get("failure")).containsEntry("code", "missing_output");
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
	}

	@Test
	void duplicateAndLateWebhooksPostOnce() {
		runpod.duplicateWebhooks(3);
		UUID job = alice.generate();
		alice.awaitStatus(job, "succeeded");

		String body = "{\"id\":\"late\",\"status\":\"FAILED\",\"error\":\"late\"}";
		web.post().uri("/webhooks/runpod/{id}?token={token}", job, callbacks.token(job)).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body).exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("succeeded");

		assertThat(alice.job(job)).containsEntry("status", "succeeded");
		assertThat(alice.entries("post")).isEqualTo(1);
		assertThat(alice.balance()).isEqualTo(Balance.of(25, 0));
	}

	@Test
	void aWebhookWithAWrongTokenIs401AndChangesNothing() {
		runpod.holdJobs(true);
		UUID job = alice.generate();
		UUID other = alice.generate();

		for (String token : new String[] { "nope", callbacks.token(other), "" }) {
			web.post().uri("/webhooks/runpod/{id}?token={token}", job, token).contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"id\":\"x\",\"status\":\"COMPLETED\",\"output\":{}}").exchange()
				.expectStatus().isUnauthorized().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		}
		web.post().uri("/webhooks/runpod/{id}/progress", job).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"progress\":50}").exchange().expectStatus().isUnauthorized();
		assertThat(alice.job(job).get("status")).isIn("queued", "dispatched");
		assertThat(alice.balance()).isEqualTo(Balance.of(20, 10));
	}

	@Test
	void anotherUserCanNeitherReadNorCancelAJob() {
		runpod.holdJobs(true);
		UUID job = alice.generate();
		Requester bob = new Requester(web, ledger, db, 0);

		bob.user.as(web).get().uri("/v1/generations/{id}", job).exchange().expectStatus().isNotFound()
			.expectBody().jsonPath("$.code").isEqualTo("not_found");
		bob.user.as(web).post().uri("/v1/generations/{id}/cancel", job).exchange().expectStatus().isNotFound();
		assertThat(alice.job(job).get("status")).isNotEqualTo("canceled");
	}

	@Test
	void cancellingAJobVoidsItsHoldAndStopsTheRun() {
		runpod.holdJobs(true);
		UUID job = alice.generate();
		alice.awaitJob(job, view -> "dispatched".equals(view.get("status")) || "running".equals(view.get("status")));
		org.awaitility.Awaitility.await().atMost(Requester.WAIT).until(() -> providerJobId(job) != null);

		alice.user.as(web).post().uri("/v1/generations/{id}/cancel", job).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("canceled");
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
		assertThat(runpod.cancelRequests()).anyMatch(cancel -> cancel.jobId().equals(providerJobId(job)));

		runpod.release(providerJobId(job));
		alice.user.as(web).post().uri("/v1/generations/{id}/cancel", job).exchange().expectStatus().isOk();
		assertThat(alice.job(job)).containsEntry("status", "canceled");
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
	}

	private String providerJobId(UUID job) {
		return db.sql("select provider_job_id from generation_jobs where id = :id").bind("id", job)
			.map(row -> java.util.Optional.ofNullable(row.get("provider_job_id", String.class))).one().block().orElse(null);
	}

	static List<String> statuses(List<Map<String, Object>> jobs) {
		List<String> statuses = new ArrayList<>();
		jobs.forEach(job -> statuses.add((String) job.get("status")));
		return statuses;
	}
}
