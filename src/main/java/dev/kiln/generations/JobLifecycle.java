package dev.kiln.generations;

import java.util.Collection;
import java.util.Set;
import java.util.UUID;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.HoldId;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Posted;
import dev.kiln.credits.Rejected;
import dev.kiln.credits.VoidResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The transitions that move money, each one transaction: the job's compare-and-set and its ledger
 * operation (post on success; void on failure, cancellation or expiry) commit together or not at all.
 * A transition that finds the job already elsewhere changes nothing and returns empty.
 */
@Service
class JobLifecycle {

	private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);

	private final Jobs jobs;

	private final CreditLedger ledger;

	private final TransactionalOperator transactions;

	JobLifecycle(Jobs jobs, CreditLedger ledger, TransactionalOperator transactions) {
		this.jobs = jobs;
		this.ledger = ledger;
		this.transactions = transactions;
	}

	/** The result is there: the job succeeded and its price is posted. Also from queued: RunPod may finish a job Kiln re-queued. */
	Mono<Job> succeed(UUID id, String outputs) {
		return jobs.find(id).flatMap(job -> jobs.move(id, JobStatus.OPEN,
				new Jobs.Change(JobStatus.SUCCEEDED, 100, outputs, job.price(), null, null, null))
			.flatMap(moved -> settle(moved, moved.price())))
			.as(transactions::transactional)
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
		return jobs.move(id, Set.of(JobStatus.RUNNING),
				new Jobs.Change(JobStatus.SUCCEEDED, 100, outputs, posted, null, null, "served by " + answered.servedBy(), answered))
			.flatMap(moved -> settle(moved, posted))
			.as(transactions::transactional)
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
		return jobs.move(id, from, change)
			.flatMap(moved -> voidHold(moved).thenReturn(moved))
			.as(transactions::transactional)
			.doOnNext(job -> log.info("job {} {}: hold of {} credits voided", id, job.status().code(), job.price()));
	}

	/** Posts {@code credits} of the succeeded job's hold (voids it when nothing is owed); a refusal rolls back. */
	private Mono<Job> settle(Job moved, long credits) {
		if (credits == 0) {
			return voidHold(moved).thenReturn(moved);
		}
		return ledger.post(IdempotencyKey.of("job:" + moved.id() + ":post"), new HoldId(moved.holdId()), Credits.of(credits))
			.flatMap(result -> result instanceof Posted ? Mono.just(moved)
					: Mono.error(new IllegalStateException("job " + moved.id() + " succeeded but its hold could not be posted: "
							+ ((Rejected) result).reason().code())));
	}

	private Mono<VoidResult> voidHold(Job moved) {
		return ledger.voidHold(IdempotencyKey.of("job:" + moved.id() + ":void"), new HoldId(moved.holdId()));
	}
}
