package dev.kiln.generations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.Balance;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.messaging.Topics;
import dev.kiln.providers.runpod.RunpodClient;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SettableClock;
import dev.kiln.testing.runpod.RunpodEmulator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What video generation survives: RunPod failing or hanging, lost webhooks, poison messages, and Kiln
 * stopping between any two steps. Nothing is lost or paid twice.
 */
@KilnIntegrationTest
@TestPropertySource(properties = { "kiln.generations.video.silence=1s", "kiln.generations.video.dispatch-grace=1s",
		"kiln.generations.video.max-in-flight=2" })
class VideoResilienceIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	RunpodEmulator runpod;

	@Autowired
	RunpodClient runpodClient;

	@Autowired
	JobReconciler reconciler;

	@Autowired
	SettableClock clock;

	@Autowired
	Topics topics;

	@Autowired
	KafkaTemplate<String, String> kafka;

	@Autowired
	SmartLifecycle outboxRelay;

	@Value("${spring.kafka.bootstrap-servers}")
	String bootstrapServers;

	@Value("${kiln.generations.video.endpoint-id}")
	String endpoint;

	@Value("${spring.flyway.url}")
	String jdbcUrl;

	@Autowired
	CapacityClaims claims;

	@Autowired
	JobLifecycle lifecycle;

	@Autowired
	Jobs jobs;

	@Autowired
	KafkaListenerEndpointRegistry listeners;

	@Value("${kiln.messaging.paused-poll-timeout}")
	Duration pausedPollTimeout;

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
	void aLostWebhookIsCompletedByTheReconciler() {
		runpod.dropWebhooks(true);
		UUID job = alice.generate();
		// RunPod's id is recorded once the dispatch is through: only then can the emulator be asked
		String runpodJob = Awaitility.await().atMost(Requester.WAIT).until(() -> providerJobId(job), id -> id != null);
		Awaitility.await().atMost(Requester.WAIT).until(() -> runpod.job(runpodJob).status().name().equals("COMPLETED"));
		assertThat(alice.job(job).get("status")).isIn("dispatched", "running");

		Awaitility.await().atMost(Requester.WAIT).untilAsserted(() -> {
			reconciler.reconcile().block();
			assertThat(alice.job(job)).containsEntry("status", "succeeded");
		});
		assertThat(alice.balance()).isEqualTo(Balance.of(25, 0));
	}

	@Test
	void aHungJobExpiresAtItsDeadlineIsCancelledAtRunpodAndItsHoldVoided() {
		runpod.hangJobs(true);
		UUID job = alice.generate();
		Awaitility.await().atMost(Requester.WAIT).until(() -> providerJobId(job) != null);
		String runpodJob = providerJobId(job);

		clock.advance(Duration.ofHours(1));
		try {
			reconciler.reconcile().block();
		}
		finally {
			clock.advance(Duration.ofHours(-1));
		}

		assertThat(alice.job(job)).containsEntry("status", "expired");
		assertThat(runpod.cancelRequests()).anyMatch(cancel -> cancel.jobId().equals(runpodJob));
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
	}

	/**
	 * While a poll's dispatches wait, the consumer is paused; its polls must come back soon after the last
	 * acknowledgement, not after Spring Kafka's default 100 ms (docs/performance.md).
	 */
	@Test
	void theDispatchersPausedPollsWaitOnlyThePausedPollTimeout() {
		var dispatcher = (ConcurrentMessageListenerContainer<?, ?>) listeners.getListenerContainer("video-dispatcher");
		assertThat(dispatcher.getContainers()).isNotEmpty()
			.allSatisfy(consumer -> assertThat(consumer.getContainerProperties().getPollTimeoutWhilePaused())
				.isEqualTo(pausedPollTimeout)
				.isLessThan(Duration.ofMillis(100)));
	}

	@Test
	void aRunpodOutageOpensTheCircuitJobsWaitQueuedAndFinishAfterRecovery() {
		runpod.failRunRequests(1_000, 503);
		UUID first = alice.generate();
		UUID second = alice.generate();

		CircuitBreaker circuit = runpodClient.circuit(endpoint);
		Awaitility.await().atMost(Requester.WAIT).until(() -> circuit.getState() == CircuitBreaker.State.OPEN);
		assertThat(List.of(alice.job(first).get("status"), alice.job(second).get("status")))
			.allMatch(status -> status.equals("queued") || status.equals("dispatched"));

		runpod.resetFaults();
		alice.awaitStatus(first, "succeeded");
		alice.awaitStatus(second, "succeeded");
		assertThat(alice.timeline(first)).doesNotContain("failed");
		assertThat(alice.balance()).isEqualTo(Balance.of(20, 0));
	}

	@Test
	void jobsBeyondTheEndpointsCapacityWaitQueuedAndGoWhenASlotFrees() throws Exception {
		runpod.holdJobs(true);
		int before = runpod.runRequests().size();
		UUID first = alice.generate();
		UUID second = alice.generate();
		UUID third = alice.generate();

		Awaitility.await().atMost(Requester.WAIT).until(() -> runpod.runRequests().size() == before + 2);
		Thread.sleep(1_500); // the third keeps asking for a slot meanwhile
		assertThat(runpod.runRequests()).hasSize(before + 2);
		assertThat(List.of(first, second, third).stream().map(job -> alice.job(job).get("status")))
			.containsExactlyInAnyOrder("dispatched", "dispatched", "queued");

		runpod.holdJobs(false);
		runpod.jobs().stream().filter(job -> !job.status().terminal()).forEach(job -> runpod.release(job.id()));
		for (UUID job : List.of(first, second, third)) {
			alice.awaitStatus(job, "succeeded");
		}
		assertThat(alice.balance()).isEqualTo(Balance.of(15, 0));
	}

	@Test
	void aTransitionOfAJobWhoseOwnersOtherJobIsBeingClaimedDoesNotDeadlock() throws Exception {
		// three queued jobs of alice's with no dispatch message: only this test claims them
		UUID decoy = queuedJob();
		UUID first = queuedJob();
		UUID second = queuedJob();
		try (java.sql.Connection capacity = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "");
				java.sql.Connection transition = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "")) {
			capacity.setAutoCommit(false);
			transition.setAutoCommit(false);
			execute(capacity, "select pg_advisory_xact_lock(hashtextextended(?, 0))", "runpod-capacity:" + endpoint);
			List<Job> claimed = java.util.Collections.synchronizedList(new ArrayList<>());
			// the decoy's claim waits on the endpoint's lock; the other two queue behind it and go as one batch
			claims.claim(decoy).subscribe(claimed::add);
			Awaitility.await().atMost(Requester.WAIT).until(() -> waitingFor("advisory") == 1);
			claims.claim(first).subscribe(claimed::add);
			claims.claim(second).subscribe(claimed::add);
			lifecycle.cancel(decoy).block();

			// a transition of the second job (a cancel, a webhook) holds its row, as Jobs.move does first ...
			execute(transition, "set deadlock_timeout = '50ms'"); // so that a deadlock is detected on this side
			execute(transition, "select id from generation_jobs where id = ? for update", second);
			capacity.rollback();
			// the batch of the first and second jobs waits for the second's row
			Awaitility.await().atMost(Requester.WAIT).until(() -> waitingFor("transactionid") == 1);
			// ... and then takes alice's event counter, which a batch moving her first job would be holding
			execute(transition, "update job_event_counters set last_seq = last_seq where user_id = ?", alice.id);
			transition.rollback();

			Awaitility.await().atMost(Requester.WAIT).until(() -> claimed.size() == 2);
			assertThat(claimed).extracting(Job::id).containsExactlyInAnyOrder(first, second);
		}
		for (UUID job : List.of(first, second)) {
			lifecycle.cancel(job).block();
		}
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
	}

	@Test
	void aBatchOfClaimsTakesTheFreeSlotsInOrderAndAJobClaimedTwiceGoesOnce() throws Exception {
		UUID gate = queuedJob();
		UUID gone = queuedJob();
		UUID first = queuedJob();
		UUID second = queuedJob();
		UUID third = queuedJob();
		Map<String, Object> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
		try (java.sql.Connection capacity = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "")) {
			capacity.setAutoCommit(false);
			execute(capacity, "select pg_advisory_xact_lock(hashtextextended(?, 0))", "runpod-capacity:" + endpoint);
			// the gate's claim waits on the endpoint's lock alone; the others queue behind it and go as one batch
			claim(gate, "gate", outcomes);
			Awaitility.await().atMost(Requester.WAIT).until(() -> waitingFor("advisory") == 1);
			claim(gone, "gone", outcomes);
			claim(first, "first", outcomes);
			claim(first, "first again", outcomes); // a redelivered record
			claim(second, "second", outcomes);
			claim(third, "third", outcomes);
			lifecycle.cancel(gate).block();
			lifecycle.cancel(gone).block();
			capacity.rollback();
			Awaitility.await().atMost(Requester.WAIT).until(() -> outcomes.size() == 6);
		}

		// two slots: the canceled job takes none, so the second job gets the one left after the first
		assertThat(outcomes).containsEntry("gate", "nothing")
			.containsEntry("gone", "nothing")
			.containsEntry("first", first)
			.containsEntry("first again", "nothing")
			.containsEntry("second", second)
			.containsEntry("third", "wait");
		assertThat(jobs.find(first).block().status()).isEqualTo(JobStatus.DISPATCHED);
		assertThat(jobs.find(second).block().status()).isEqualTo(JobStatus.DISPATCHED);
		assertThat(jobs.find(third).block().status()).isEqualTo(JobStatus.QUEUED);
		assertThat(db.sql("select count(*) as n from job_events where job_id = :id and status = 'dispatched'")
			.bind("id", first)
			.map(row -> row.get("n", Long.class))
			.one()
			.block()).isEqualTo(1);
		for (UUID job : List.of(first, second, third)) {
			lifecycle.cancel(job).block();
		}
		assertThat(alice.balance()).isEqualTo(Balance.of(30, 0));
	}

	/** Claims a slot for {@code job}, noting under {@code name} the job claimed, "nothing" or "wait" (endpoint full). */
	private void claim(UUID job, String name, Map<String, Object> outcomes) {
		claims.claim(job).subscribe(claimed -> outcomes.put(name, claimed.id()),
				failure -> outcomes.put(name, failure instanceof Dispatches.Wait ? "wait" : failure.toString()),
				() -> outcomes.putIfAbsent(name, "nothing"));
	}

	private UUID queuedJob() {
		UUID id = dev.kiln.platform.Ids.uuid();
		java.time.Instant now = java.time.Instant.now();
		jobs.admit(new Jobs.NewJob(id, alice.id, "video", "text-to-video", "{}", "hash-" + id, "claims-" + id,
				JobStatus.QUEUED, 5, endpoint, now.plus(Duration.ofHours(1)), now.plus(Duration.ofHours(2)), "video", now, null))
			.block();
		return id;
	}

	/** Backends of this test's database waiting for a lock of this kind (the claims' transaction, here). */
	private long waitingFor(String lock) {
		return db.sql("select count(*) as n from pg_stat_activity where datname = current_database() "
				+ "and wait_event_type = 'Lock' and wait_event = :lock")
			.bind("lock", lock)
			.map(row -> row.get("n", Long.class))
			.one()
			.block();
	}

	private static void execute(java.sql.Connection connection, String sql, Object... parameters) throws java.sql.SQLException {
		try (java.sql.PreparedStatement statement = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				statement.setObject(i + 1, parameters[i]);
			}
			statement.execute();
		}
	}

	@Test
	void aBurstOfJobsTakesNoMoreSlotsThanTheEndpointHas() throws Exception {
		runpod.holdJobs(true);
		Requester bob = new Requester(web, ledger, db, 50);
		int before = runpod.runRequests().size();
		// held back and then published in one batch, so the dispatcher claims them side by side
		outboxRelay.stop();
		List<UUID> burst = new ArrayList<>();
		try {
			for (int i = 0; i < 10; i++) {
				burst.add(bob.generate());
			}
		}
		finally {
			outboxRelay.start();
		}

		Awaitility.await().atMost(Requester.WAIT).until(() -> runpod.runRequests().size() == before + 2);
		Thread.sleep(1_500); // the other eight keep asking for a slot meanwhile
		assertThat(runpod.runRequests()).hasSize(before + 2);
		assertThat(burst.stream().map(job -> bob.job(job).get("status")))
			.containsOnly("dispatched", "queued")
			.filteredOn("dispatched"::equals)
			.hasSize(2);
		// held at RunPod, so nothing can finish them before their ids are written: each its own, in batches
		List<UUID> atRunpod = burst.stream().filter(job -> bob.job(job).get("status").equals("dispatched")).toList();
		Awaitility.await().atMost(Requester.WAIT).until(() -> atRunpod.stream().allMatch(job -> providerJobId(job) != null));
		assertThat(atRunpod.stream().map(this::providerJobId).distinct()).hasSize(2)
			.allSatisfy(id -> assertThat(runpod.job(id).status().terminal()).isFalse());

		runpod.holdJobs(false);
		runpod.jobs().stream().filter(job -> !job.status().terminal()).forEach(job -> runpod.release(job.id()));
		for (UUID job : burst) {
			bob.awaitStatus(job, "succeeded");
		}
		assertThat(runpod.runRequests()).hasSize(before + 10);
		assertThat(bob.balance()).isEqualTo(Balance.of(0, 0));
	}

	@Test
	void aPoisonMessageGoesToTheDeadLetterTopic() throws Exception {
		String requested = topics.name(Topics.GENERATION_REQUESTED);
		kafka.send(requested, "not-a-job-id", "{}").get();
		String unknownJob = UUID.randomUUID().toString();
		kafka.send(requested, unknownJob, "{}").get();

		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + UUID.randomUUID(),
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
			consumer.subscribe(List.of(topics.deadLetters(Topics.GENERATION_REQUESTED)));
			List<String> keys = new java.util.ArrayList<>();
			Awaitility.await().atMost(Requester.WAIT).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach((ConsumerRecord<String, String> record) -> keys.add(record.key()));
				return keys.containsAll(List.of("not-a-job-id", unknownJob));
			});
		}
	}

	/**
	 * A record that can never be handled does not hold up the jobs behind it on its partition (async
	 * listeners and the error handler's seeks changed in Spring Kafka 4.1.1; docs/performance.md).
	 */
	@Test
	void jobsBehindAPoisonMessageOnTheirPartitionAreStillDispatched() throws Exception {
		String requested = topics.name(Topics.GENERATION_REQUESTED);
		// one on every partition, so the jobs queue behind one whichever partition their ids hash to
		for (int partition = 0; partition < kafka.partitionsFor(requested).size(); partition++) {
			kafka.send(requested, partition, "poison-" + partition, "{}").get();
		}
		UUID first = alice.generate();
		UUID second = alice.generate();

		alice.awaitStatus(first, "succeeded");
		alice.awaitStatus(second, "succeeded");
		assertThat(alice.balance()).isEqualTo(Balance.of(20, 0));
	}

	@Test
	void aJobAdmittedWhileTheRelayIsDownIsPublishedWhenItComesBack() {
		outboxRelay.stop();
		UUID job;
		try {
			job = alice.generate();
			assertThat(alice.job(job)).containsEntry("status", "queued");
			assertThat(unpublished()).isPositive();
		}
		finally {
			outboxRelay.start();
		}
		alice.awaitStatus(job, "succeeded");
		assertThat(unpublished()).isZero();
		assertThat(alice.entries("post")).isEqualTo(1);
	}

	@Test
	void aCrashBetweenRunpodAcceptingAndKilnRecordingItLosesAndDoublesNothing() {
		runpod.holdJobs(true);
		UUID job = alice.generate();
		Awaitility.await().atMost(Requester.WAIT).until(() -> providerJobId(job) != null);
		String runpodJob = providerJobId(job);
		// as if Kiln had stopped after RunPod's 202 and before writing its job id
		db.sql("update generation_jobs set provider_job_id = null where id = :id").bind("id", job).then().block();

		runpod.release(runpodJob);
		alice.awaitStatus(job, "succeeded");
		reconciler.reconcile().block();

		assertThat(alice.job(job)).containsEntry("status", "succeeded");
		assertThat(alice.entries("post")).isEqualTo(1);
		assertThat(alice.balance()).isEqualTo(Balance.of(25, 0));
	}

	@Test
	void aStuckDispatchGoesBackToTheQueueWithItsDispatchMessageOrNotAtAll() {
		UUID job = queuedJob();
		// as if Kiln had stopped after claiming the job and before RunPod was called
		db.sql("update generation_jobs set status = 'dispatched', dispatched_at = now() - interval '1 hour' where id = :id")
			.bind("id", job).then().block();
		db.sql("alter table outbox add constraint refuse_test_message check (message_key <> '" + job + "')").then().block();
		try {
			assertThat(catchThrowable(() -> reconciler.reconcile().block())).isNotNull();
			assertThat(alice.job(job)).as("not queued without its message").containsEntry("status", "dispatched");
		}
		finally {
			db.sql("alter table outbox drop constraint refuse_test_message").then().block();
		}

		reconciler.reconcile().block();
		assertThat(db.sql("select count(*) as n from outbox where message_key = :key").bind("key", job.toString())
			.map(row -> row.get("n", Long.class)).one().block()).isEqualTo(1);
		Awaitility.await().atMost(Requester.WAIT).until(() -> !"queued".equals(alice.job(job).get("status")));
		lifecycle.cancel(job).block();
	}

	private long unpublished() {
		return db.sql("select count(*) as n from outbox where published_at is null").map(row -> row.get("n", Long.class))
			.one().block();
	}

	private String providerJobId(UUID job) {
		return db.sql("select provider_job_id from generation_jobs where id = :id").bind("id", job)
			.map(row -> java.util.Optional.ofNullable(row.get("provider_job_id", String.class))).one().block().orElse(null);
	}
}
