package dev.kiln.generations;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
 * moves each job of the batch in turn. A dispatcher waiting for the lock therefore holds one pool
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

	private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean claiming = new AtomicBoolean();

	CapacityClaims(Jobs jobs, GenerationSettings settings, DatabaseClient db, TransactionalOperator transactions) {
		this.jobs = jobs;
		this.settings = settings;
		this.db = db;
		this.transactions = transactions;
	}

	/**
	 * The job, now {@code dispatched}, once its transaction committed; empty when it is not queued (any
	 * more); {@link Dispatches.Wait} when the endpoint is full.
	 */
	Mono<Job> claim(UUID id) {
		return Mono.create(sink -> {
			pending.add(new Pending(id, sink));
			next();
		});
	}

	/** Starts a batch unless one is running; the one running starts the next when it ends. */
	private void next() {
		if (!claiming.compareAndSet(false, true)) {
			return;
		}
		List<Pending> batch = new ArrayList<>();
		for (Pending claim = pending.poll(); claim != null; claim = batch.size() < BATCH ? pending.poll() : null) {
			batch.add(claim);
		}
		if (batch.isEmpty()) {
			claiming.set(false);
			// a claim added after the poll above and before the flag dropped found the flag still up
			if (!pending.isEmpty()) {
				next();
			}
			return;
		}
		claimAll(batch).subscribe(outcomes -> {
			for (int i = 0; i < batch.size(); i++) {
				outcomes.get(i).deliver(batch.get(i).sink());
			}
		}, failure -> {
			log.warn("claiming capacity for {} jobs failed", batch.size(), failure);
			batch.forEach(claim -> claim.sink().error(failure));
			claiming.set(false);
			next();
		}, () -> {
			claiming.set(false);
			next();
		});
	}

	/** One transaction: the lock, the count, then each job in the order the claims came. */
	private Mono<List<Outcome>> claimAll(List<Pending> batch) {
		String endpoint = settings.video().endpointId();
		return db.sql("select pg_advisory_xact_lock(hashtextextended(:lock, 0))")
			.bind("lock", "runpod-capacity:" + endpoint)
			.then()
			.then(jobs.inFlight(endpoint))
			.flatMap(inFlight -> {
				AtomicLong free = new AtomicLong(settings.video().maxInFlight() - inFlight);
				return Flux.fromIterable(batch).concatMap(claim -> claimOne(claim.id(), free)).collectList();
			})
			.as(transactions::transactional);
	}

	private Mono<Outcome> claimOne(UUID id, AtomicLong free) {
		if (free.get() <= 0) {
			return jobs.find(id)
				.map(job -> job.status() == JobStatus.QUEUED ? Outcome.FULL : Outcome.NOT_QUEUED)
				.defaultIfEmpty(Outcome.NOT_QUEUED);
		}
		return jobs.move(id, Set.of(JobStatus.QUEUED), Jobs.Change.to(JobStatus.DISPATCHED, "sent to RunPod"))
			.doOnNext(job -> free.decrementAndGet())
			.map(Outcome::claimed)
			.defaultIfEmpty(Outcome.NOT_QUEUED);
	}

	private record Pending(UUID id, MonoSink<Job> sink) {
	}

	/** What a claim came to: the dispatched job, a full endpoint, or a job that is no longer queued. */
	private record Outcome(@Nullable Job job, boolean full) {

		static final Outcome FULL = new Outcome(null, true);

		static final Outcome NOT_QUEUED = new Outcome(null, false);

		static Outcome claimed(Job job) {
			return new Outcome(job, false);
		}

		void deliver(MonoSink<Job> sink) {
			if (job != null) {
				sink.success(job);
			}
			else if (full) {
				sink.error(new Dispatches.Wait("no capacity"));
			}
			else {
				sink.success();
			}
		}
	}
}
