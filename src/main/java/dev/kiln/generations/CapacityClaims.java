package dev.kiln.generations;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kiln.platform.Batches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.stereotype.Component;

/**
 * Capacity slots at the RunPod endpoint, taken by moving a queued job to {@code dispatched} while fewer
 * than {@code max-in-flight} jobs of the endpoint are at RunPod. The count is only true under a
 * transaction-scoped advisory lock shared by every replica, so claims are serial; to keep that cheap,
 * the claims waiting on this replica go together in one statement ({@code claim_capacity}, its own
 * transaction) that takes the lock once, counts once and moves the jobs that fit. A dispatcher waiting
 * for the lock therefore holds one pool connection per replica, not one per Kafka record, and admissions
 * keep their connections.
 */
@Component
class CapacityClaims {

	private static final Logger log = LoggerFactory.getLogger(CapacityClaims.class);

	/** Claims in one statement at most; the rest go in the next. */
	private static final int BATCH = 100;

	private final Jobs jobs;

	private final GenerationSettings settings;

	private final Batches<Pending> batches = new Batches<>("claiming capacity", BATCH,
			claim -> !claim.cancelled().get(), this::settle, (claim, failure) -> claim.sink().error(failure));

	CapacityClaims(Jobs jobs, GenerationSettings settings) {
		this.jobs = jobs;
		this.settings = settings;
	}

	/**
	 * The job, now {@code dispatched}, once its statement committed; empty when it is not queued (any
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
	 * Claims the batch in one statement and tells each claim its outcome after the commit. If the
	 * statement fails (and rolls back), each claim is tried alone, so a job that cannot be claimed fails
	 * only its own.
	 */
	private Mono<Void> settle(List<Pending> batch) {
		return claimAll(batch)
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
	private static void deliver(Jobs.CapacityClaim outcome, Pending claim) {
		try {
			switch (outcome.outcome()) {
				case CLAIMED -> claim.sink().success(outcome.job());
				case FULL -> claim.sink().error(new Dispatches.Wait("no capacity"));
				case NOT_QUEUED -> claim.sink().success();
			}
		}
		catch (RuntimeException ex) {
			log.error("could not hand job {} its capacity claim", claim.id(), ex);
		}
	}

	/** One statement ({@code claim_capacity}): the lock, the batch's job rows, the count and the moves. */
	private Mono<List<Jobs.CapacityClaim>> claimAll(List<Pending> batch) {
		return jobs.claimCapacity(settings.video().endpointId(), batch.stream().map(Pending::id).toList(),
				settings.video().maxInFlight());
	}

	private record Pending(UUID id, MonoSink<Job> sink, AtomicBoolean cancelled) {
	}
}
