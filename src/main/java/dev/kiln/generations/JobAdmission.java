package dev.kiln.generations;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.Held;
import dev.kiln.credits.HoldRequest;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Rejected;
import dev.kiln.credits.SpendingRefused;
import dev.kiln.messaging.Outbox;
import dev.kiln.messaging.Topics;
import dev.kiln.platform.Ids;
import dev.kiln.platform.web.Problems;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.ErrorResponseException;

/**
 * Admits a job in one transaction: hold its (maximum) price, insert the job and its first event, and,
 * for a video, append the message that asks for dispatch. The Idempotency-Key decides retries: the same key and body give
 * the same job, another body under the key is 422, and a request whose twin is still being admitted is
 * 409 (a transaction-scoped advisory lock on the key).
 */
@Service
class JobAdmission {

	/** Holds outlive their job's deadline, so a job finishing just in time can still be posted. */
	private static final Duration HOLD_MARGIN = Duration.ofHours(1);

	private final DatabaseClient db;

	private final Jobs jobs;

	private final CreditLedger ledger;

	private final Outbox outbox;

	private final DailyLimit dailyLimit;

	private final GenerationSettings settings;

	private final JsonMapper json;

	private final Clock clock;

	private final TransactionalOperator transactions;

	JobAdmission(DatabaseClient db, Jobs jobs, CreditLedger ledger, Outbox outbox, DailyLimit dailyLimit,
			GenerationSettings settings, JsonMapper json, Clock clock, TransactionalOperator transactions) {
		this.db = db;
		this.jobs = jobs;
		this.ledger = ledger;
		this.outbox = outbox;
		this.dailyLimit = dailyLimit;
		this.settings = settings;
		this.json = json;
		this.clock = clock;
		this.transactions = transactions;
	}

	/** The admitted job, or the job first admitted under this key ({@link Admitted#replayed()}). */
	Mono<Admitted> admit(UUID user, String idempotencyKey, VideoOrder order) {
		GenerationSettings.Workflow workflow = settings.video().workflows().stream()
			.filter(candidate -> candidate.name().equals(order.workflow()))
			.findFirst()
			.orElseThrow();
		Plan plan = new Plan("video", order.workflow(), json.writeValueAsString(order), order.price(workflow),
				settings.video().endpointId(), JobStatus.QUEUED, settings.video().deadline(), "video " + order.workflow());
		return admit(user, idempotencyKey, plan, (job, now) -> outbox.append(Topics.GENERATION_REQUESTED,
				job.id().toString(), new GenerationRequested(job.id(), user, job.kind(), order.workflow(), now)));
	}

	/**
	 * Admits a job Kiln runs itself, at once (text, image): its maximum price held and the job recorded
	 * as running, in one transaction, with the same Idempotency-Key rules as videos.
	 */
	Mono<Admitted> admitRunning(UUID user, String idempotencyKey, String kind, Object order, long maxPrice,
			Duration deadline) {
		Plan plan = new Plan(kind, null, json.writeValueAsString(order), maxPrice, null, JobStatus.RUNNING, deadline, kind);
		return admit(user, idempotencyKey, plan, (job, now) -> Mono.empty());
	}

	private Mono<Admitted> admit(UUID user, String idempotencyKey, Plan plan, AfterInsert afterInsert) {
		String hash = sha256(plan.request());
		return jobs.findByKey(user, idempotencyKey)
			.map(existing -> replay(existing, hash))
			.switchIfEmpty(Mono.defer(() -> dailyLimit.check(user)
				.then(admitOnce(user, idempotencyKey, plan, hash, afterInsert))));
	}

	private Mono<Admitted> admitOnce(UUID user, String key, Plan plan, String hash, AfterInsert afterInsert) {
		UUID id = Ids.uuid();
		Instant now = clock.instant();
		Instant deadline = now.plus(plan.deadline());
		return lockKey(user, key)
			// the user's event counter before the account: every transaction takes them in this order
			.then(jobs.lockEventsAndFindByKey(user, key))
			.map(existing -> replay(existing, hash))
			.switchIfEmpty(Mono.defer(() -> ledger.hold(new HoldRequest(IdempotencyKey.of("job:" + id + ":hold"),
					new AccountId(user), Credits.of(plan.price()), deadline.plus(HOLD_MARGIN), plan.memo(), id))
				.flatMap(result -> switch (result) {
					case Held held -> jobs.insert(new Job(id, user, plan.kind(), plan.workflow(), plan.request(), hash, key,
							plan.status(), plan.price(), null, held.hold().value(), plan.endpoint(), null, 0,
							null, null, null, 1, deadline, now, null, null, null, null, null, null, null));
					case Rejected rejected when SpendingRefused.applies(rejected.reason()) ->
						Mono.error(new SpendingRefused(rejected.reason()));
					case Rejected rejected -> Mono.error(new IllegalStateException("hold for job " + id + " refused: "
							+ rejected.reason().code()));
				})
				.flatMap(job -> afterInsert.apply(job, now).thenReturn(new Admitted(job, false)))))
			.as(transactions::transactional);
	}

	/** What a new job is: the same for every kind but for these. */
	private record Plan(String kind, @Nullable String workflow, String request, long price, @Nullable String endpoint,
			JobStatus status, Duration deadline, String memo) {
	}

	/** What else the admission transaction writes once the job is in (the dispatch message, for videos). */
	@FunctionalInterface
	private interface AfterInsert {

		Mono<Void> apply(Job job, Instant now);
	}

	private Mono<Void> lockKey(UUID user, String key) {
		return db.sql("select pg_try_advisory_xact_lock(hashtextextended(:lock, 0)) as locked")
			.bind("lock", "generation:" + user + ":" + key)
			.map(row -> row.get("locked", Boolean.class))
			.one()
			.filter(Boolean::booleanValue)
			.switchIfEmpty(Mono.error(() -> new ErrorResponseException(HttpStatus.CONFLICT,
					Problems.of(HttpStatus.CONFLICT, "request_in_progress",
							"A request with this Idempotency-Key is still being processed; retry in a moment."),
					null)))
			.then();
	}

	private static Admitted replay(Job existing, String hash) {
		if (!existing.requestHash().equals(hash)) {
			throw new ErrorResponseException(HttpStatus.UNPROCESSABLE_ENTITY, Problems.of(HttpStatus.UNPROCESSABLE_ENTITY,
					"idempotency_key_reused", "This Idempotency-Key was first used for another request (job "
							+ existing.id() + "); use a new key for a new generation."),
					null);
		}
		return new Admitted(existing, true);
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JVM has SHA-256", ex);
		}
	}

	record Admitted(Job job, boolean replayed) {
	}
}
