package dev.kiln.payments;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.ClawedBack;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Movement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/**
 * Refunds take back the refunded share of a purchase's credits ({@link ClawBackPolicy}). The charge is
 * read from the provider, so its cumulative {@code amount_refunded} decides, whatever order refund
 * events arrive in; the purchase row is locked while it is answered for, and only ever moves forward.
 */
@Service
class Refunds {

	private static final Logger log = LoggerFactory.getLogger(Refunds.class);

	private final DatabaseClient db;

	private final CreditLedger ledger;

	private final Inbox inbox;

	Refunds(DatabaseClient db, CreditLedger ledger, Inbox inbox) {
		this.db = db;
		this.ledger = ledger;
		this.inbox = inbox;
	}

	Mono<Void> refunded(String provider, PaymentGateway.ChargeState charge, PaymentGateway.PaymentEvent event) {
		return inbox.once(provider, event, locked(provider, charge.paymentIntent())
			.filter(purchase -> charge.amountRefunded() > purchase.refundedAmount())
			.flatMap(purchase -> answer(purchase, charge.amountRefunded(),
					purchase.status().equals("disputed") || charge.amountRefunded() < purchase.amount() ? purchase.status() : "refunded",
					"refund:" + purchase.id() + ":" + charge.amountRefunded(), "refund of " + purchase.itemId()))
			.then());
	}

	/** The purchase paid by this payment intent, locked for this transaction; empty when it is not Kiln's. */
	Mono<Purchase> locked(String provider, @org.jspecify.annotations.Nullable String paymentIntent) {
		if (paymentIntent == null) {
			return Mono.empty();
		}
		return db.sql("select * from payment_transactions where provider = :provider and payment_intent = :intent for update")
			.bind("provider", provider)
			.bind("intent", paymentIntent)
			.map(Purchase::read)
			.one();
	}

	/**
	 * Records that {@code refundedTotal} of the purchase has been given back and claws back the credits
	 * that answer for it, under {@code key} so that a retry takes nothing twice.
	 */
	Mono<Void> answer(Purchase purchase, long refundedTotal, String status, String key, String memo) {
		long owed = ClawBackPolicy.owed(purchase.credits(), purchase.amount(), refundedTotal,
				purchase.creditsClawedBack() + purchase.creditsWrittenOff());
		Mono<Answer> answered = owed == 0 ? Mono.just(new Answer(0, 0))
				: ledger.clawBack(new Movement(IdempotencyKey.of(key), new AccountId(purchase.userId()), Credits.of(owed),
						memo, purchase.paymentIntent())).map(Answer::of);
		return answered.flatMap(result -> {
			if (result.shortfall() > 0) {
				log.warn("purchase {}: {} credits refunded had already been spent and are written off",
						purchase.id(), result.shortfall());
			}
			return db.sql("""
					update payment_transactions
					   set refunded_amount = :refunded, status = :status, updated_at = now(),
					       credits_clawed_back = credits_clawed_back + :taken,
					       credits_written_off = credits_written_off + :shortfall
					 where id = :id""")
				.bind("refunded", Math.min(refundedTotal, purchase.amount()))
				.bind("status", status)
				.bind("taken", result.taken())
				.bind("shortfall", result.shortfall())
				.bind("id", purchase.id())
				.then();
		});
	}

	private record Answer(long taken, long shortfall) {

		static Answer of(ClawedBack clawedBack) {
			return new Answer(clawedBack.taken().units(), clawedBack.shortfall().units());
		}
	}
}
