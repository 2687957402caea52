package dev.kiln.credits;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/**
 * Stops an account from starting new spending while a payment of its is unsettled: every hold is
 * refused with the lock's {@link Reason} (checked inside the hold's own statement), while posts and
 * voids of earlier holds go on, so work already paid for finishes. Locks are idempotent by their
 * reference: locking twice or releasing twice changes nothing.
 */
@Service
public class SpendingLocks {

	public enum Reason {

		/** A subscription invoice is unpaid; the reference is the invoice. */
		PAYMENT_OVERDUE,
		/** A payment is disputed; the reference is the dispute. */
		PAYMENT_DISPUTED;

		String code() {
			return name().toLowerCase();
		}
	}

	private final DatabaseClient db;

	SpendingLocks(DatabaseClient db) {
		this.db = db;
	}

	public Mono<Void> lock(AccountId account, Reason reason, String reference) {
		return db.sql("insert into spending_locks (account_id, reason, reference) values (:account, :reason, :reference) "
				+ "on conflict do nothing")
			.bind("account", account.value())
			.bind("reason", reason.code())
			.bind("reference", reference)
			.then();
	}

	public Mono<Void> release(AccountId account, Reason reason, String reference) {
		return db.sql("delete from spending_locks where account_id = :account and reason = :reason and reference = :reference")
			.bind("account", account.value())
			.bind("reason", reason.code())
			.bind("reference", reference)
			.then();
	}
}
