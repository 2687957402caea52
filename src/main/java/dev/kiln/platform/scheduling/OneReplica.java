package dev.kiln.platform.scheduling;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Runs a periodic job on one replica at a time: the job runs in a transaction that first takes a
 * transaction-scoped PostgreSQL advisory lock; a replica that cannot take it skips this run (empty).
 * The lock goes with the transaction, so a replica that dies mid-run frees it at once.
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
			.flatMap(locked -> job)
			.as(transactions::transactional));
	}
}
