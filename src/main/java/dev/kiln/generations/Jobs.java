package dev.kiln.generations;

import java.util.Collection;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;

/**
 * Generation jobs. {@link #move} is the only way a job changes state: a compare-and-set on the current
 * status that bumps the version and appends the job event in the same statement.
 */
@Repository
class Jobs {

	private final DatabaseClient db;

	Jobs(DatabaseClient db) {
		this.db = db;
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

	Mono<Job> findByKey(UUID user, String idempotencyKey) {
		return db.sql("select * from generation_jobs where user_id = :user and idempotency_key = :key")
			.bind("user", user)
			.bind("key", idempotencyKey)
			.map(Job::read)
			.one();
	}

	Mono<Job> insert(Job job) {
		return db.sql("""
				with job as (
				  insert into generation_jobs (id, user_id, kind, workflow, request, request_hash, idempotency_key, price,
				                               hold_id, provider, provider_endpoint, deadline)
				  values (:id, :user, :kind, :workflow, cast(:request as jsonb), :hash, :key, :price, :hold, 'runpod', :endpoint, :deadline)
				  returning *),
				event as (insert into job_events (job_id, version, status, progress) select id, version, status, progress from job)
				select * from job""")
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
			.map(Job::read)
			.one();
	}

	/**
	 * Moves the job from one of {@code from} to {@code change.to()}, or does nothing (empty) when it is in
	 * no such status any more: a late or repeated signal then changes nothing.
	 */
	Mono<Job> move(UUID id, Collection<JobStatus> from, Change change) {
		return db.sql("""
				with job as (
				  update generation_jobs set
				    status = :to, version = version + 1, updated_at = now(), last_seen_at = now(),
				    progress = coalesce(:progress, progress),
				    outputs = coalesce(cast(:outputs as jsonb), outputs),
				    cost = coalesce(:cost, cost),
				    failure_code = coalesce(:failureCode, failure_code),
				    failure_detail = coalesce(:failureDetail, failure_detail),
				    provider_job_id = case when :to = 'queued' then null else provider_job_id end,
				    dispatched_at = case when :to = 'dispatched' then now() else dispatched_at end,
				    started_at = case when :to = 'running' then coalesce(started_at, now()) else started_at end,
				    finished_at = case when :to in ('succeeded', 'failed', 'canceled', 'expired') then now() else finished_at end
				  where id = :id and status = any(:from) and (:minProgress is null or progress < :minProgress or status = 'dispatched')
				  returning *),
				event as (insert into job_events (job_id, version, status, progress, detail)
				          select id, version, status, progress, :detail from job)
				select * from job""")
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
			.map(Job::read)
			.one();
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

	/** A new state and what it records; null fields keep their value. */
	record Change(JobStatus to, @Nullable Integer progress, @Nullable String outputs, @Nullable Long cost,
			@Nullable String failureCode, @Nullable String failureDetail, @Nullable String detail) {

		static Change to(JobStatus to, @Nullable String detail) {
			return new Change(to, null, null, null, null, null, detail);
		}

		static Change failed(JobStatus to, String code, String why) {
			return new Change(to, null, null, null, code, why, code + ": " + why);
		}
	}
}
