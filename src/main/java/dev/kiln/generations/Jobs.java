package dev.kiln.generations;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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

	private static final String BY_KEY = "select * from generation_jobs where user_id = :user and idempotency_key = :key";

	/**
	 * Appends the job event of the {@code job} CTE's row and numbers it in the user's sequence. The
	 * counter's row lock, held to commit, hands out the numbers in commit order.
	 */
	private static final String APPEND_EVENT = """
			counter as (
			  insert into job_event_counters (user_id, last_seq) select user_id, 1 from job
			  on conflict (user_id) do update set last_seq = job_event_counters.last_seq + 1
			  returning user_id, last_seq),
			event as (
			  insert into job_events (job_id, version, status, progress, detail, user_id, user_seq)
			  select job.id, job.version, job.status, job.progress, :detail, job.user_id, counter.last_seq
			  from job join counter on counter.user_id = job.user_id
			  returning user_seq, created_at, detail)""";

	private final DatabaseClient db;

	private final StatusFanOut fanOut;

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
		return db.sql(BY_KEY)
			.bind("user", user)
			.bind("key", idempotencyKey)
			.map(Job::read)
			.one();
	}

	Mono<Job> insert(Job job) {
		return db.sql("""
				with job as (
				  insert into generation_jobs (id, user_id, kind, workflow, request, request_hash, idempotency_key, price,
				                               hold_id, provider, provider_endpoint, deadline, status, started_at)
				  values (:id, :user, :kind, :workflow, cast(:request as jsonb), :hash, :key, :price, :hold, :provider,
				          :endpoint, :deadline, :status, case when :status = 'running' then now() end)
				  returning *),
				""" + APPEND_EVENT + """
				select job.*, event.user_seq as event_seq, event.created_at as event_at, event.detail as event_detail
				from job cross join event""")
			.bind("detail", Parameter.empty(String.class))
			.bind("id", job.id())
			.bind("user", job.userId())
			.bind("kind", job.kind())
			.bind("workflow", Parameter.fromOrEmpty(job.workflow(), String.class))
			.bind("request", job.request())
			.bind("hash", job.requestHash())
			.bind("key", job.idempotencyKey())
			.bind("price", job.price())
			.bind("hold", job.holdId())
			.bind("endpoint", Parameter.fromOrEmpty(job.providerEndpoint(), String.class))
			.bind("deadline", job.deadline())
			.bind("status", job.status().code())
			.bind("provider", job.provider())
			.map(Jobs::changed)
			.one()
			.flatMap(this::announce);
	}

	/**
	 * Moves the job from one of {@code from} to {@code change.to()}, or does nothing (empty) when it is in
	 * no such status any more: a late or repeated signal then changes nothing.
	 */
	Mono<Job> move(UUID id, Collection<JobStatus> from, Change change) {
		Answered answered = change.answered();
		return db.sql("""
				with job as (
				  update generation_jobs set
				    status = :to, version = version + 1, updated_at = now(), last_seen_at = now(),
				    progress = coalesce(:progress, progress),
				    outputs = coalesce(cast(:outputs as jsonb), outputs),
				    cost = coalesce(:cost, cost),
				    failure_code = coalesce(:failureCode, failure_code),
				    failure_detail = coalesce(:failureDetail, failure_detail),
				    served_by = coalesce(:servedBy, served_by),
				    provider_cost = coalesce(:providerCost, provider_cost),
				    provider_currency = coalesce(:providerCurrency, provider_currency),
				    answer = coalesce(cast(:answer as jsonb), answer),
				    provider_job_id = case when :to = 'queued' then null else provider_job_id end,
				    dispatched_at = case when :to = 'dispatched' then now() else dispatched_at end,
				    started_at = case when :to = 'running' then coalesce(started_at, now()) else started_at end,
				    finished_at = case when :to in ('succeeded', 'failed', 'canceled', 'expired') then now() else finished_at end
				  where id = :id and status = any(:from) and (:minProgress is null or progress < :minProgress or status = 'dispatched')
				  returning *),
				""" + APPEND_EVENT + """
				select job.*, event.user_seq as event_seq, event.created_at as event_at, event.detail as event_detail
				from job cross join event""")
			.bind("id", id)
			.bind("from", from.stream().map(JobStatus::code).toArray(String[]::new))
			.bind("to", change.to().code())
			.bind("progress", Parameter.fromOrEmpty(change.progress(), Integer.class))
			.bind("minProgress", Parameter.fromOrEmpty(change.progress(), Integer.class))
			.bind("outputs", Parameter.fromOrEmpty(change.outputs(), String.class))
			.bind("cost", Parameter.fromOrEmpty(change.cost(), Long.class))
			.bind("failureCode", Parameter.fromOrEmpty(change.failureCode(), String.class))
			.bind("failureDetail", Parameter.fromOrEmpty(change.failureDetail(), String.class))
			.bind("detail", Parameter.fromOrEmpty(change.detail(), String.class))
			.bind("servedBy", Parameter.fromOrEmpty(answered == null ? null : answered.servedBy(), String.class))
			.bind("providerCost", Parameter.fromOrEmpty(answered == null ? null : answered.providerCost(), Long.class))
			.bind("providerCurrency", Parameter.fromOrEmpty(answered == null ? null : answered.currency(), String.class))
			.bind("answer", Parameter.fromOrEmpty(answered == null ? null : answered.answer(), String.class))
			.map(Jobs::changed)
			.one()
			.flatMap(this::announce);
	}

	/**
	 * The job already admitted under this key, if any, read after locking the user's event counter until
	 * the transaction ends: one statement for what admission needs next. Lock order, to rule out
	 * deadlocks: a job row, then the user's event counter, then the user's credit account. A transition
	 * takes the first two in {@link #move} and the account in its ledger operation after; admission, which
	 * holds credits before it has a job, must take the counter first, here (a replay takes it for nothing
	 * and lets it go when its transaction ends).
	 */
	Mono<Job> lockEventsAndFindByKey(UUID user, String idempotencyKey) {
		return db.sql("""
				with counter as (
				  insert into job_event_counters (user_id, last_seq) values (:user, 0)
				  on conflict (user_id) do update set last_seq = job_event_counters.last_seq)
				""" + BY_KEY)
			.bind("user", user)
			.bind("key", idempotencyKey)
			.map(Job::read)
			.one();
	}

	/** Which of these jobs are still queued. */
	Mono<Set<UUID>> queuedAmong(Collection<UUID> ids) {
		return db.sql("select id from generation_jobs where id = any(:ids) and status = 'queued'")
			.bind("ids", ids.toArray(UUID[]::new))
			.map(row -> row.get("id", UUID.class))
			.all()
			.collect(Collectors.toSet());
	}

	/** Records RunPod's id for a job it accepted (not a state change: no event). */
	Mono<Void> providerAccepted(UUID id, String providerJobId) {
		return db.sql("update generation_jobs set provider_job_id = :provider, last_seen_at = now() "
				+ "where id = :id and status in ('dispatched', 'running')")
			.bind("id", id)
			.bind("provider", providerJobId)
			.then();
	}

	/** A sign of life from the provider. */
	Mono<Void> seen(UUID id) {
		return db.sql("update generation_jobs set last_seen_at = now() where id = :id").bind("id", id).then();
	}

	/** Jobs at RunPod on this endpoint now, over all replicas. */
	Mono<Long> inFlight(String endpoint) {
		return db.sql("select count(*) as n from generation_jobs where provider_endpoint = :endpoint "
				+ "and status in ('dispatched', 'running')")
			.bind("endpoint", endpoint)
			.map(row -> row.get("n", Long.class))
			.one();
	}

	private Mono<Job> announce(Changed changed) {
		return fanOut.afterCommit(changed.event()).thenReturn(changed.job());
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
