package dev.kiln.generations;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.kiln.credits.Rejection;
import dev.kiln.messaging.Outbox;
import dev.kiln.platform.Batches;
import dev.kiln.platform.Deadlines;
import dev.kiln.platform.SqlErrors;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;

/**
 * Generation jobs. {@link #move} is the only way a job changes state: a compare-and-set on the current
 * status that bumps the version and appends the job event in the same statement. Every change is
 * announced to live streams once its transaction commits.
 */
@Repository
class Jobs {

	/** A write of RunPod's ids that hangs must not hold up every dispatch after it. */
	private static final Duration ACCEPTANCE_WRITE_TIMEOUT = Duration.ofSeconds(10);

	private final DatabaseClient db;

	private final StatusFanOut fanOut;

	private final Batches<Acceptance> acceptances = new Batches<>("recording RunPod's job ids", 200, acceptance -> true,
			this::writeAcceptances, (acceptance, failure) -> acceptance.sink().error(failure));

	Jobs(DatabaseClient db, StatusFanOut fanOut) {
		this.db = db;
		this.fanOut = fanOut;
	}

	Mono<Job> find(UUID id) {
		return db.sql("select * from generation_jobs where id = :id").bind("id", id).map(Job::read).one();
	}

	/** The user's job; empty for another user's, so nobody learns that it exists. */
	Mono<Job> findOwned(UUID id, UUID user) {
		return db.sql("select * from generation_jobs where id = :id and user_id = :user")
			.bind("id", id)
			.bind("user", user)
			.map(Job::read)
			.one();
	}

	/** A page of the user's jobs, newest first. */
	Flux<Job> history(UUID user, HistoryQuery query) {
		// a null here must fail, never turn a user's history into everyone's
		return page(Objects.requireNonNull(user, "user"), query);
	}

	/** A page of every user's jobs, newest first, or only {@code user}'s: the operator's view. */
	Flux<Job> everyonesHistory(@Nullable UUID user, HistoryQuery query) {
		return page(user, query);
	}

	private Flux<Job> page(@Nullable UUID user, HistoryQuery query) {
		String sql = "select * from generation_jobs where true"
				+ (user == null ? "" : " and user_id = :user")
				+ (query.status() == null ? "" : " and status = :status")
				+ (query.kind() == null ? "" : " and kind = :kind")
				+ (query.after() == null ? "" : " and (created_at, id) < (:at, :id)")
				+ " order by created_at desc, id desc limit :limit";
		DatabaseClient.GenericExecuteSpec spec = db.sql(sql).bind("limit", query.limit() + 1);
		if (user != null) {
			spec = spec.bind("user", user);
		}
		if (query.status() != null) {
			spec = spec.bind("status", query.status().code());
		}
		if (query.kind() != null) {
			spec = spec.bind("kind", query.kind());
		}
		if (query.after() != null) {
			spec = spec.bind("at", query.after().createdAt().atOffset(ZoneOffset.UTC)).bind("id", query.after().id());
		}
		return spec.map(Job::read).all();
	}

	Mono<Job> findByKey(UUID user, String idempotencyKey) {
		return db.sql("select * from generation_jobs where user_id = :user and idempotency_key = :key")
			.bind("user", user)
			.bind("key", idempotencyKey)
			.map(Job::read)
			.one();
	}

	/**
	 * Admits {@code job} in one statement, V12's {@code admit_job}: under the Idempotency-Key's lock, the
	 * job already admitted under the key if there is one, else the hold of its price, the job, its first
	 * event and its outbox row. The statement is its own transaction, so the new job is announced as soon
	 * as it returns.
	 */
	Mono<Admission> admit(NewJob job) {
		Outbox.@Nullable Row message = job.message();
		return db.sql("""
				select f.o_outcome as outcome, f.o_refusal as refusal, f.o_event_seq as event_seq, f.o_event_at as event_at,
				       cast(null as text) as event_detail, (f.o_job).*
				from admit_job(:id, :user, :key, :hash, :kind, :workflow, cast(:request as jsonb), :price, :provider,
				               :endpoint, :status, :deadline, :holdDeadline, :memo, :now, :topic, :messageKey, :payload) f""")
			.bind("id", job.id())
			.bind("user", job.user())
			.bind("key", job.idempotencyKey())
			.bind("hash", job.requestHash())
			.bind("kind", job.kind())
			.bind("workflow", Parameter.fromOrEmpty(job.workflow(), String.class))
			.bind("request", job.request())
			.bind("price", job.price())
			.bind("provider", Job.providerOf(job.kind()))
			.bind("endpoint", Parameter.fromOrEmpty(job.endpoint(), String.class))
			.bind("status", job.status().code())
			.bind("deadline", job.deadline())
			.bind("holdDeadline", job.holdDeadline())
			.bind("memo", job.memo())
			.bind("now", job.now())
			.bind("topic", Parameter.fromOrEmpty(message == null ? null : message.topic(), String.class))
			.bind("messageKey", Parameter.fromOrEmpty(message == null ? null : message.key(), String.class))
			.bind("payload", Parameter.fromOrEmpty(message == null ? null : message.payload(), String.class))
			.<Admission>map(row -> switch (row.get("outcome", String.class)) {
				case "admitted" -> {
					Changed admitted = changed(row);
					yield new Admission.Admitted(admitted.job(), admitted.event());
				}
				case "replayed" -> new Admission.Existing(Job.read(row));
				case "in_progress" -> new Admission.KeyBusy();
				case "refused" -> new Admission.Refused(Rejection.fromCode(row.get("refusal", String.class)));
				case null, default -> throw new IllegalStateException("admit_job answered " + row.get("outcome", String.class));
			})
			.one()
			.flatMap(outcome -> outcome instanceof Admission.Admitted admitted
					? fanOut.afterCommit(admitted.event()).thenReturn(outcome)
					: Mono.just(outcome));
	}

	/**
	 * A job to admit (version 1, queued or running), its hold's deadline and memo, the admission's clock
	 * reading, and the outbox row written with it, if any.
	 */
	record NewJob(UUID id, UUID user, String kind, @Nullable String workflow, String request, String requestHash,
			String idempotencyKey, JobStatus status, long price, @Nullable String endpoint, Instant deadline,
			Instant holdDeadline, String memo, Instant now, Outbox.@Nullable Row message) {
	}

	/** How {@link #admit} ended; a refused admission left nothing behind. */
	sealed interface Admission {

		record Admitted(Job job, JobEvent event) implements Admission {
		}

		/** The job first admitted under the key (its request may differ: the caller compares hashes). */
		record Existing(Job job) implements Admission {
		}

		/** A twin request under the same key is being admitted right now. */
		record KeyBusy() implements Admission {
		}

		record Refused(Rejection reason) implements Admission {
		}
	}

	/**
	 * Moves the job from one of {@code from} to {@code change.to()}, or does nothing (empty) when it is in
	 * no such status any more: a late or repeated signal then changes nothing.
	 */
	Mono<Job> move(UUID id, Collection<JobStatus> from, Change change) {
		return bindChange(db.sql("""
				select f.o_event_seq as event_seq, f.o_event_at as event_at, f.o_event_detail as event_detail, (f.o_job).*
				from job_move(:id, :from, :to, :progress, cast(:outputs as jsonb), :cost, :failureCode, :failureDetail, :detail,
				              :servedBy, :providerCost, :providerCurrency, cast(:answer as jsonb)) f
				where (f.o_job).id is not null"""), from, change)
			.bind("id", id)
			.map(Jobs::changed)
			.one()
			.flatMap(this::announce);
	}

	/**
	 * Claims capacity at {@code endpoint} for the listed jobs in one statement ({@code claim_capacity}): under
	 * the endpoint's lock, the jobs' row locks taken first, the jobs still queued move to {@code dispatched}
	 * in the order listed while fewer than {@code maxInFlight} of the endpoint's jobs are at RunPod. One
	 * claim per listed id, in order; a job listed twice moves for its first claim only. The moves are
	 * announced together once the statement committed.
	 */
	Mono<List<CapacityClaim>> claimCapacity(String endpoint, List<UUID> ids, long maxInFlight) {
		return db.sql("""
				select c.o_outcome as outcome, c.o_event_seq as event_seq, c.o_event_at as event_at,
				       c.o_event_detail as event_detail, (c.o_job).*
				from claim_capacity(:lock, :endpoint, cast(:ids as uuid[]), :maxInFlight, :detail) c
				order by c.o_position""")
			.bind("lock", "runpod-capacity:" + endpoint)
			.bind("endpoint", endpoint)
			.bind("ids", ids.toArray(UUID[]::new))
			.bind("maxInFlight", maxInFlight)
			.bind("detail", "sent to RunPod")
			.map(row -> {
				CapacityClaim.Outcome outcome = CapacityClaim.Outcome.valueOf(
						String.valueOf(row.get("outcome", String.class)).toUpperCase(Locale.ROOT));
				if (outcome != CapacityClaim.Outcome.CLAIMED) {
					return new ClaimRow(new CapacityClaim(outcome, null), null);
				}
				Changed moved = changed(row);
				return new ClaimRow(new CapacityClaim(outcome, moved.job()), moved.event());
			})
			.all()
			.collectList()
			.flatMap(rows -> fanOut.afterCommit(rows.stream().map(ClaimRow::event).filter(Objects::nonNull).toList())
				.thenReturn(rows.stream().map(ClaimRow::claim).toList()));
	}

	/** What one listed job's claim came to: the dispatched job, a full endpoint, or a job no longer queued. */
	record CapacityClaim(Outcome outcome, @Nullable Job job) {

		enum Outcome {
			CLAIMED, FULL, NOT_QUEUED
		}
	}

	private record ClaimRow(CapacityClaim claim, @Nullable JobEvent event) {
	}

	/**
	 * {@link #move}, and in the same statement the ledger operation the move decides ({@code job_settle}):
	 * both or neither. Empty, with nothing posted or voided, when the job was in none of {@code from}.
	 */
	Mono<Settled> settle(UUID id, Collection<JobStatus> from, Change change, Settlement settlement) {
		return bindChange(db.sql("""
				select f.o_event_seq as event_seq, f.o_event_at as event_at, f.o_event_detail as event_detail,
				       f.o_ledger_outcome as ledger_outcome, f.o_ledger_replayed as ledger_replayed, (f.o_job).*
				from job_settle(:id, :from, :to, :progress, cast(:outputs as jsonb), :cost, :failureCode, :failureDetail,
				                :detail, :servedBy, :providerCost, :providerCurrency, cast(:answer as jsonb),
				                :ledger, :ledgerKey, :amount, :now) f
				where (f.o_job).id is not null"""), from, change)
			.bind("id", id)
			.bind("ledger", settlement.operation())
			.bind("ledgerKey", settlement.key())
			.bind("amount", settlement.credits())
			.bind("now", settlement.now())
			.map(row -> {
				Changed changed = changed(row);
				return new Settled(changed.job(), changed.event(), settlement.operation(), row.get("ledger_outcome", String.class),
						Boolean.TRUE.equals(row.get("ledger_replayed", Boolean.class)));
			})
			.one()
			.onErrorMap(error -> {
				// job_settle's refused post: SQLSTATE KL500, the ledger's refusal as the message
				R2dbcException refused = SqlErrors.withState(error, "KL500");
				return refused == null ? error : new PostRefused(id, String.valueOf(refused.getMessage()), error);
			})
			.flatMap(settled -> fanOut.afterCommit(settled.event()).thenReturn(settled));
	}

	private static DatabaseClient.GenericExecuteSpec bindChange(DatabaseClient.GenericExecuteSpec spec,
			Collection<JobStatus> from, Change change) {
		Answered answered = change.answered();
		return spec.bind("from", from.stream().map(JobStatus::code).toArray(String[]::new))
			.bind("to", change.to().code())
			.bind("progress", Parameter.fromOrEmpty(change.progress(), Integer.class))
			.bind("outputs", Parameter.fromOrEmpty(change.outputs(), String.class))
			.bind("cost", Parameter.fromOrEmpty(change.cost(), Long.class))
			.bind("failureCode", Parameter.fromOrEmpty(change.failureCode(), String.class))
			.bind("failureDetail", Parameter.fromOrEmpty(change.failureDetail(), String.class))
			.bind("detail", Parameter.fromOrEmpty(change.detail(), String.class))
			.bind("servedBy", Parameter.fromOrEmpty(answered == null ? null : answered.servedBy(), String.class))
			.bind("providerCost", Parameter.fromOrEmpty(answered == null ? null : answered.providerCost(), Long.class))
			.bind("providerCurrency", Parameter.fromOrEmpty(answered == null ? null : answered.currency(), String.class))
			.bind("answer", Parameter.fromOrEmpty(answered == null ? null : answered.answer(), String.class));
	}

	/** The ledger refused to post a succeeding job's hold ({@code outcome}); the statement changed nothing. */
	static final class PostRefused extends IllegalStateException {

		private final String outcome;

		PostRefused(UUID job, String outcome, Throwable cause) {
			super("job " + job + " succeeded but its hold could not be posted: " + outcome, cause);
			this.outcome = outcome;
		}

		String outcome() {
			return outcome;
		}
	}

	/**
	 * Records RunPod's id for a job it accepted (not a state change: no event), once written. The ids
	 * that arrive while a write runs go together in the next, one statement for all of them.
	 */
	Mono<Void> providerAccepted(UUID id, String providerJobId) {
		return Mono.create(sink -> acceptances.add(new Acceptance(id, providerJobId, sink)));
	}

	private Mono<Void> writeAcceptances(List<Acceptance> batch) {
		// a job listed twice (a redelivered dispatch) gets the id RunPod gave last, not whichever the join meets
		Map<UUID, String> latest = new LinkedHashMap<>();
		batch.forEach(acceptance -> latest.put(acceptance.job(), acceptance.providerJobId()));
		return Deadlines.within(ACCEPTANCE_WRITE_TIMEOUT, db.sql("""
				update generation_jobs g set provider_job_id = accepted.provider, last_seen_at = now()
				from unnest(cast(:ids as uuid[]), cast(:providers as text[])) as accepted(id, provider)
				where g.id = accepted.id and g.status in ('dispatched', 'running')""")
			.bind("ids", latest.keySet().toArray(UUID[]::new))
			.bind("providers", latest.values().toArray(String[]::new))
			.then())
			.doOnSuccess(written -> batch.forEach(acceptance -> acceptance.sink().success()));
	}

	private record Acceptance(UUID job, String providerJobId, MonoSink<Void> sink) {
	}

	/** A sign of life from the provider. */
	Mono<Void> seen(UUID id) {
		return db.sql("update generation_jobs set last_seen_at = now() where id = :id").bind("id", id).then();
	}

	private Mono<Job> announce(Changed changed) {
		return fanOut.afterCommit(changed.event()).thenReturn(changed.job());
	}

	/** A settled transition: the moved job and the ledger's outcome ({@code posted}, {@code voided}, or a void's refusal). */
	record Settled(Job job, JobEvent event, String operation, String ledgerOutcome, boolean ledgerReplayed) {
	}

	/** The ledger operation a transition decides: {@code post} {@code credits} of the job's hold, or {@code void} it. */
	record Settlement(String operation, String key, long credits, Instant now) {

		static Settlement post(UUID job, long credits, Instant now) {
			return new Settlement("post", "job:" + job + ":post", credits, now);
		}

		static Settlement voided(UUID job, Instant now) {
			return new Settlement("void", "job:" + job + ":void", 0, now);
		}
	}

	private static Changed changed(Readable row) {
		Job job = Job.read(row);
		return new Changed(job, new JobEvent(job.id(), job.userId(), job.version(), row.get("event_seq", Long.class),
				job.status().code(), job.progress(), row.get("event_detail", String.class),
				row.get("event_at", OffsetDateTime.class).toInstant()));
	}

	private record Changed(Job job, JobEvent event) {
	}

	/** A new state and what it records; null fields keep their value. */
	record Change(JobStatus to, @Nullable Integer progress, @Nullable String outputs, @Nullable Long cost,
			@Nullable String failureCode, @Nullable String failureDetail, @Nullable String detail,
			@Nullable Answered answered) {

		Change(JobStatus to, @Nullable Integer progress, @Nullable String outputs, @Nullable Long cost,
				@Nullable String failureCode, @Nullable String failureDetail, @Nullable String detail) {
			this(to, progress, outputs, cost, failureCode, failureDetail, detail, null);
		}

		static Change to(JobStatus to, @Nullable String detail) {
			return new Change(to, null, null, null, null, null, detail);
		}

		static Change failed(JobStatus to, String code, String why) {
			return new Change(to, null, null, null, code, why, code + ": " + why);
		}
	}

	/**
	 * What a synchronous provider answered: the route that served it, what it cost the operator
	 * ({@code providerCost} millionths of {@code currency}) and the answer as JSON.
	 */
	record Answered(String servedBy, long providerCost, String currency, String answer) {
	}
}
