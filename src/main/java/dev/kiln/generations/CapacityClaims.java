package dev.kiln.generations;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kiln.platform.Batches;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Capacity slots at the RunPod endpoint, taken by moving a queued job to {@code dispatched} while fewer
 * than {@code max-in-flight} jobs of the endpoint are at RunPod. The count is only true under a
 * transaction-scoped advisory lock shared by every replica, so claims are serial; to keep that cheap,
 * the claims waiting on this replica go together: one transaction takes the lock once, counts once and
 * moves the jobs that fit in one statement. A dispatcher waiting for the lock therefore holds one pool
 * connection per replica, not one per Kafka record, and admissions keep their connections.
 */
@Component
class CapacityClaims {

	private static final Logger log = LoggerFactory.getLogger(CapacityClaims.class);

	/** Claims in one transaction at most; the rest go in the next. */
	private static final int BATCH = 100;

	private final Jobs jobs;

	private final GenerationSettings settings;

	private final DatabaseClient db;

	private final TransactionalOperator transactions;

	private final Batches<Pending> batches = new Batches<>("claiming capacity", BATCH,
			claim -> !claim.cancelled().get(), this::settle, (claim, failure) -> claim.sink().error(failure));

	CapacityClaims(Jobs jobs, GenerationSettings settings, DatabaseClient db, TransactionalOperator transactions) {
		this.jobs = jobs;
		this.settings = settings;
		this.db = db;
		this.transactions = transactions;
	}

	/**
	 * The job, now {@code dispatched}, once its transaction committed; empty when it is not queued (any
	 * more); {@link Dispatches.Wait} when the endpoint is full. A claim given up before its batch starts
	 * is dropped; one given up during its batch may leave its job dispatched with nobody to send it, which
	 * the reconciler re-queues after {@code dispatch-grace}.
	 */
	Mono<Job> claim(UUID id) {
		return Mono.create(sink -> {
			Pending claim = new Pending(id, sink, new AtomicBoolean());
			sink.onCancel(() -> claim.cancelled().set(true));
			batches.add(claim);
		});
	}

	/**
	 * Claims the batch in one transaction and tells each claim its outcome after the commit. If the
	 * transaction fails, each claim is tried alone, so a job that cannot be claimed fails only its own.
	 */
	private Mono<Void> settle(List<Pending> batch) {
		return claimAll(batch)
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("the claim transaction gave no outcome")))
			.doOnNext(outcomes -> {
				for (int i = 0; i < batch.size(); i++) {
					deliver(outcomes.get(i), batch.get(i));
				}
			})
			.then()
			.onErrorResume(failure -> batch.size() > 1
					? Flux.fromIterable(batch).concatMap(claim -> settle(List.of(claim))).then()
					: Mono.fromRunnable(() -> {
						log.warn("claiming capacity for job {} failed", batch.getFirst().id(), failure);
						batch.getFirst().sink().error(failure);
					}));
	}

	/** Committed by now: a delivery that throws must not make the batch look failed and be claimed again. */
	private static void deliver(Outcome outcome, Pending claim) {
		try {
			outcome.deliver(claim.sink());
		}
		catch (RuntimeException ex) {
			log.error("could not hand job {} its capacity claim", claim.id(), ex);
		}
	}

	/**
	 * One transaction: the lock, the batch's job rows, the count, then the jobs in the order the claims
	 * came while slots remain; the claims left over learn in one read whether their jobs still wait.
	 */
	private Mono<List<Outcome>> claimAll(List<Pending> batch) {
		String endpoint = settings.video().endpointId();
		return db.sql("select pg_advisory_xact_lock(hashtextextended(:lock, 0))")
			.bind("lock", "runpod-capacity:" + endpoint)
			.then()
			// Every job row before any user's event counter, as in every transition (job row, counter,
			// account). Moving the jobs one by one would hold a user's counter after the first of their jobs
			// while waiting for the row of their next one, which a transition of that job may hold while it
			// waits for the counter: a deadlock.
			.then(db.sql("select id from generation_jobs where id = any(:ids) order by id for update")
				.bind("ids", batch.stream().map(Pending::id).toArray(UUID[]::new))
				.then())
			.then(jobs.inFlight(endpoint))
			.flatMap(inFlight -> {
				Outcome[] outcomes = new Outcome[batch.size()];
				Arrays.fill(outcomes, Outcome.UNDECIDED);
				return moveWhileFree(batch, outcomes, 0, settings.video().maxInFlight() - inFlight)
					.then(Mono.fromSupplier(() -> List.of(outcomes)));
			})
			.flatMap(outcomes -> withoutSlots(batch, outcomes))
			.as(transactions::transactional);
	}

	/**
	 * Moves as many of the claims from {@code next} on as there are free slots, in one statement, and
	 * again for the rest while slots remain (a claim whose job was no longer queued took none): usually
	 * one statement for the whole batch.
	 */
	private Mono<Void> moveWhileFree(List<Pending> batch, Outcome[] outcomes, int next, long free) {
		if (free <= 0 || next >= batch.size()) {
			return Mono.empty();
		}
		int end = (int) Math.min(batch.size(), next + free);
		List<UUID> ids = batch.subList(next, end).stream().map(Pending::id).toList();
		return jobs.moveAll(ids, Set.of(JobStatus.QUEUED), Jobs.Change.to(JobStatus.DISPATCHED, "sent to RunPod"))
			.collectMap(Job::id)
			.flatMap(moved -> {
				int claimed = moved.size();
				for (int i = next; i < end; i++) {
					// a job claimed twice in one batch (a redelivered record) goes to its first claim only
					Job job = moved.remove(batch.get(i).id());
					outcomes[i] = job == null ? Outcome.NOT_QUEUED : Outcome.claimed(job);
				}
				return moveWhileFree(batch, outcomes, end, free - claimed);
			});
	}

	/** The claims that found no slot: full for a job still queued, nothing to do for any other. */
	private Mono<List<Outcome>> withoutSlots(List<Pending> batch, List<Outcome> outcomes) {
		List<UUID> undecided = new ArrayList<>();
		for (int i = 0; i < batch.size(); i++) {
			if (outcomes.get(i).kind() == Outcome.Kind.UNDECIDED) {
				undecided.add(batch.get(i).id());
			}
		}
		if (undecided.isEmpty()) {
			return Mono.just(outcomes);
		}
		return jobs.queuedAmong(undecided).map(queued -> {
			List<Outcome> decided = new ArrayList<>(outcomes);
			for (int i = 0; i < batch.size(); i++) {
				if (decided.get(i).kind() == Outcome.Kind.UNDECIDED) {
					decided.set(i, queued.contains(batch.get(i).id()) ? Outcome.FULL : Outcome.NOT_QUEUED);
				}
			}
			return decided;
		});
	}

	private record Pending(UUID id, MonoSink<Job> sink, AtomicBoolean cancelled) {
	}

	/**
	 * What a claim came to: the dispatched job, a full endpoint, a job that is no longer queued, or (inside
	 * the transaction only) no slot left and its job's status not read yet.
	 */
	private record Outcome(Kind kind, @Nullable Job job) {

		enum Kind {
			CLAIMED, FULL, NOT_QUEUED, UNDECIDED
		}

		static final Outcome FULL = new Outcome(Kind.FULL, null);

		static final Outcome NOT_QUEUED = new Outcome(Kind.NOT_QUEUED, null);

		static final Outcome UNDECIDED = new Outcome(Kind.UNDECIDED, null);

		static Outcome claimed(Job job) {
			return new Outcome(Kind.CLAIMED, job);
		}

		void deliver(MonoSink<Job> sink) {
			switch (kind) {
				case CLAIMED -> sink.success(job);
				case FULL -> sink.error(new Dispatches.Wait("no capacity"));
				case NOT_QUEUED -> sink.success();
				case UNDECIDED -> sink.error(new IllegalStateException("a claim left undecided"));
			}
		}
	}
}
