package dev.kiln.generations;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;

import dev.kiln.credits.CreditLedger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

/**
 * The transitions that move money, each one statement ({@link Jobs#settle}): the job's compare-and-set
 * and its ledger operation (post on success; void on failure, cancellation or expiry) commit together
 * or not at all. A transition that finds the job already elsewhere changes nothing and returns empty.
 */
@Service
class JobLifecycle {

	private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);

	private final Jobs jobs;

	private final CreditLedger ledger;

	private final Clock clock;

	JobLifecycle(Jobs jobs, CreditLedger ledger, Clock clock) {
		this.jobs = jobs;
		this.ledger = ledger;
		this.clock = clock;
	}

	/** The result is there: the job succeeded and its price is posted. Also from queued: RunPod may finish a job Kiln re-queued. */
	Mono<Job> succeed(UUID id, String outputs) {
		return jobs.find(id)
			.flatMap(job -> settle(id, JobStatus.OPEN,
					new Jobs.Change(JobStatus.SUCCEEDED, 100, outputs, job.price(), null, null, null), job.price()))
			.doOnNext(job -> log.info("job {} succeeded: {} credits posted", id, job.price()));
	}

	/**
	 * A synchronous provider answered: the job succeeded, and of its hold exactly the answer's price is
	 * posted (the rest goes back). A price above the hold (the input estimate was short) posts the hold.
	 */
	Mono<Job> answered(Job job, long credits, @Nullable String outputs, Jobs.Answered answered) {
		UUID id = job.id();
		// the price is fixed at admission, so the admitted job's is the one to compare with
		long posted = Math.min(credits, job.price());
		if (credits > job.price()) {
			log.warn("job {} cost {} credits but only {} were held; posting the hold", id, credits, job.price());
		}
		return settle(id, Set.of(JobStatus.RUNNING),
				new Jobs.Change(JobStatus.SUCCEEDED, 100, outputs, posted, null, null, "served by " + answered.servedBy(), answered),
				posted)
			.doOnNext(done -> log.info("job {} answered by {}: {} of {} held credits posted", id, answered.servedBy(),
					done.cost(), done.price()));
	}

	Mono<Job> fail(UUID id, Collection<JobStatus> from, String code, String why) {
		return release(id, from, Jobs.Change.failed(JobStatus.FAILED, code, why));
	}

	Mono<Job> cancel(UUID id) {
		return release(id, JobStatus.OPEN, Jobs.Change.to(JobStatus.CANCELED, "canceled by the user"));
	}

	Mono<Job> expire(UUID id) {
		return release(id, JobStatus.OPEN, Jobs.Change.failed(JobStatus.EXPIRED, "deadline_passed",
				"the job did not finish before its deadline"));
	}

	/** Back to the queue after a dispatch that did not reach RunPod. */
	Mono<Job> requeue(UUID id, String why) {
		return jobs.move(id, Set.of(JobStatus.DISPATCHED), Jobs.Change.to(JobStatus.QUEUED, "re-queued: " + why));
	}

	private Mono<Job> release(UUID id, Collection<JobStatus> from, Jobs.Change change) {
		return jobs.settle(id, from, change, Jobs.Settlement.voided(id, clock.instant()))
			.map(this::counted)
			.doOnNext(job -> log.info("job {} {}: hold of {} credits voided", id, job.status().code(), job.price()));
	}

	/**
	 * Moves the job to succeeded and posts {@code credits} of its hold (voids it when nothing is owed), in
	 * one statement; a refused post undoes both ({@link Jobs.PostRefused}).
	 */
	private Mono<Job> settle(UUID id, Collection<JobStatus> from, Jobs.Change change, long credits) {
		Instant now = clock.instant();
		return jobs.settle(id, from, change, credits == 0 ? Jobs.Settlement.voided(id, now)
				: Jobs.Settlement.post(id, credits, now))
			.doOnError(Jobs.PostRefused.class, refused -> ledger.counted("post", refused.outcome(), false))
			.map(this::counted);
	}

	private Job counted(Jobs.Settled settled) {
		ledger.counted(settled.operation(), settled.ledgerOutcome(), settled.ledgerReplayed());
		return settled.job();
	}
}
