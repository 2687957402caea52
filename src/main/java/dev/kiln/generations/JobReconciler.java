package dev.kiln.generations;

import java.time.Clock;
import java.util.UUID;

import dev.kiln.messaging.Outbox;
import dev.kiln.messaging.Topics;
import dev.kiln.platform.scheduling.OneReplica;
import dev.kiln.providers.runpod.RunpodClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Repairs what signals missed, one replica at a time ({@link OneReplica}):
 * <ul>
 * <li>jobs past their deadline: RunPod is told to cancel, the job expires and its hold is voided;</li>
 * <li>jobs silent at RunPod longer than {@code silence}: RunPod's status is applied as its webhook would
 * have been; a job RunPod no longer knows (it keeps results about 30 minutes) is decided by the bucket,
 * so a finished video is never lost;</li>
 * <li>jobs dispatched but never given RunPod's id (a crash between the two) go back to the queue and are
 * published again.</li>
 * </ul>
 */
@Component
class JobReconciler {

	private static final Logger log = LoggerFactory.getLogger(JobReconciler.class);

	private static final long LOCK = 0x6b696c6e_6a6f6231L; // "kilnjob1"

	private static final int BATCH = 100;

	private final DatabaseClient db;

	private final Jobs jobs;

	private final JobLifecycle lifecycle;

	private final Completions completions;

	private final RunpodClient runpod;

	private final Outbox outbox;

	private final GenerationSettings settings;

	private final OneReplica oneReplica;

	private final Clock clock;

	private final TransactionalOperator transactions;

	JobReconciler(DatabaseClient db, Jobs jobs, JobLifecycle lifecycle, Completions completions, RunpodClient runpod,
			Outbox outbox, GenerationSettings settings, OneReplica oneReplica, Clock clock,
			TransactionalOperator transactions) {
		this.db = db;
		this.jobs = jobs;
		this.lifecycle = lifecycle;
		this.completions = completions;
		this.runpod = runpod;
		this.outbox = outbox;
		this.settings = settings;
		this.oneReplica = oneReplica;
		this.clock = clock;
		this.transactions = transactions;
	}

	@Scheduled(fixedDelayString = "${kiln.generations.video.reconcile-interval:30s}",
			initialDelayString = "${kiln.generations.video.reconcile-interval:30s}")
	Mono<Void> scheduled() {
		return reconcile().onErrorResume(ex -> {
			log.warn("job reconciliation failed; the next run retries", ex);
			return Mono.empty();
		}).then();
	}

	/** Returns how many jobs it changed. */
	Mono<Long> reconcile() {
		return oneReplica.run(LOCK, Mono.defer(() -> expireOverdue()
			.concatWith(pollSilent())
			.concatWith(redriveStuckDispatches())
			.count())).defaultIfEmpty(0L);
	}

	private Flux<Job> expireOverdue() {
		return ids("select id from generation_jobs where status in ('queued', 'dispatched', 'running') and deadline < :now "
				+ "order by deadline limit " + BATCH, clock.instant())
			.concatMap(id -> jobs.find(id)
				.flatMap(job -> stopAtRunpod(job).then(lifecycle.expire(id)))
				.doOnNext(job -> log.warn("job {} passed its deadline: expired, hold voided", id)));
	}

	private Flux<Job> pollSilent() {
		return ids("select id from generation_jobs where status in ('dispatched', 'running') and provider_job_id is not null "
				+ "and last_seen_at < :before order by last_seen_at limit " + BATCH,
				clock.instant().minus(settings.video().silence()))
			.concatMap(id -> jobs.find(id).flatMap(job -> runpod.status(job.providerEndpoint(), job.providerJobId())
				.flatMap(status -> completions.apply(id, status))
				.switchIfEmpty(Mono.defer(() -> {
					log.warn("RunPod no longer knows job {}; the bucket decides", id);
					return completions.finished(job);
				}))
				.filter(after -> after.version() != job.version())
				.onErrorResume(ex -> {
					log.warn("could not reconcile job {} with RunPod; next run retries", id, ex);
					return Mono.empty();
				})));
	}

	private Flux<Job> redriveStuckDispatches() {
		return ids("select id from generation_jobs where status = 'dispatched' and provider_job_id is null "
				+ "and dispatched_at < :before order by dispatched_at limit " + BATCH,
				clock.instant().minus(settings.video().dispatchGrace()))
			// back in the queue and its dispatch message, both or neither: a queued job without one would wait forever
			.concatMap(id -> lifecycle.requeue(id, "RunPod's acceptance was never recorded")
				.flatMap(job -> outbox.append(Topics.GENERATION_REQUESTED, id.toString(),
						new GenerationRequested(id, job.userId(), job.kind(), job.workflow(), clock.instant()))
					.thenReturn(job))
				.as(transactions::transactional));
	}

	private Mono<Void> stopAtRunpod(Job job) {
		if (job.providerEndpoint() == null || job.providerJobId() == null) {
			return Mono.empty();
		}
		return runpod.cancel(job.providerEndpoint(), job.providerJobId())
			.onErrorResume(ex -> {
				log.warn("could not cancel job {} at RunPod; it expires anyway", job.id(), ex);
				return Mono.empty();
			})
			.then();
	}

	private Flux<UUID> ids(String sql, java.time.Instant time) {
		String bound = sql.contains(":now") ? "now" : "before";
		return db.sql(sql).bind(bound, time).map(row -> row.get("id", UUID.class)).all();
	}
}
