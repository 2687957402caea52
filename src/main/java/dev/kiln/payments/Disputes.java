package dev.kiln.payments;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.SpendingLocks;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/**
 * A disputed payment freezes the account's new spending until the dispute closes: won, the purchase
 * is paid again; lost, the money is gone and its credits are taken back as for a full refund. The
 * dispute is read from the provider, so its current status decides even when its events are reordered.
 */
@Service
class Disputes {

	private final DatabaseClient db;

	private final Refunds refunds;

	private final SpendingLocks locks;

	private final Inbox inbox;

	Disputes(DatabaseClient db, Refunds refunds, SpendingLocks locks, Inbox inbox) {
		this.db = db;
		this.refunds = refunds;
		this.locks = locks;
		this.inbox = inbox;
	}

	Mono<Void> apply(String provider, PaymentGateway.DisputeState dispute, PaymentGateway.PaymentEvent event) {
		return inbox.once(provider, event, refunds.locked(provider, dispute.paymentIntent()).flatMap(purchase -> {
			AccountId account = new AccountId(purchase.userId());
			if (dispute.isLost()) {
				return refunds.answer(purchase, purchase.amount(), "charged_back", "dispute:" + dispute.id(),
						"chargeback of " + purchase.itemId())
					.then(locks.release(account, SpendingLocks.Reason.PAYMENT_DISPUTED, dispute.id()));
			}
			if (dispute.isWon()) {
				return status(purchase, "disputed", restored(purchase))
					.then(locks.release(account, SpendingLocks.Reason.PAYMENT_DISPUTED, dispute.id()));
			}
			return status(purchase, purchase.status(), "disputed")
				.then(locks.lock(account, SpendingLocks.Reason.PAYMENT_DISPUTED, dispute.id()));
		}));
	}

	private static String restored(Purchase purchase) {
		if (purchase.refundedAmount() >= purchase.amount()) {
			return "refunded";
		}
		return purchase.kind().equals("plan") ? "subscribed" : "paid";
	}

	private Mono<Void> status(Purchase purchase, String from, String to) {
		return db.sql("update payment_transactions set status = :to, updated_at = now() where id = :id and status = :from")
			.bind("to", to)
			.bind("id", purchase.id())
			.bind("from", from)
			.then();
	}
}
