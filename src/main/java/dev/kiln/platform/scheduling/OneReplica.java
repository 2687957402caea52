package dev.kiln.platform.scheduling;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Runs a periodic job on one replica at a time. The lock is a transaction-scoped PostgreSQL advisory
 * lock, held by a transaction of its own for as long as the job runs: a replica that cannot take it
 * skips this run (empty), and one that dies mid-run frees it at once.
 * <p>
 * The job runs outside that transaction, so each of its steps commits (or fails) on its own: a step
 * that fails rolls back only itself, and no row a step locked (a job, a user's event counter, an
 * account) stays locked while the job goes on to its next step, which may wait on a provider's API.
 */
@Component
public class OneReplica {

	private final DatabaseClient db;

	private final TransactionalOperator transactions;

	OneReplica(DatabaseClient db, TransactionalOperator transactions) {
		this.db = db;
		this.transactions = transactions;
	}

	/** The job's result, or empty when another replica holds {@code lock}. Decided at subscription. */
	public <T> Mono<T> run(long lock, Mono<T> job) {
		return Mono.defer(() -> db.sql("select pg_try_advisory_xact_lock(:lock) as locked")
			.bind("lock", lock)
			.map(row -> row.get("locked", Boolean.class))
			.one()
			.filter(Boolean::booleanValue)
			// the lock's transaction lives in the subscriber context; the job must not see it
			.flatMap(locked -> job.contextWrite(lockTransaction -> Context.empty()))
			.as(transactions::transactional));
	}
}
