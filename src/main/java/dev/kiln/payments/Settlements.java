package dev.kiln.payments;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Movement;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;

/**
 * Turns what the provider says about a checkout into Kiln's state, once. Each change is one
 * transaction: the event enters the inbox, the purchase moves by compare-and-set from an unsettled
 * status, and a paid pack is credited under the key {@code payment:<purchase>} — so even two different
 * events, or the reconciler, credit once. A plan's checkout only records the subscription: its credits
 * come with each paid invoice ({@link SubscriptionBilling}).
 */
@Service
class Settlements {

	private static final Logger log = LoggerFactory.getLogger(Settlements.class);

	private final DatabaseClient db;

	private final CreditLedger ledger;

	private final Inbox inbox;

	Settlements(DatabaseClient db, CreditLedger ledger, Inbox inbox) {
		this.db = db;
		this.ledger = ledger;
		this.inbox = inbox;
	}

	/**
	 * The checkout was paid: a pack's purchase turns paid and is credited, a plan's turns subscribed. It is
	 * dated by the event that says the money arrived (a webhook may arrive days late, and revenue is
	 * reported by the day it was paid), else when it is settled: see {@link #paidAt}.
	 */
	Mono<Void> paid(String provider, PaymentGateway.CheckoutState checkout, PaymentGateway.@Nullable PaymentEvent event) {
		return inbox.once(provider, event, db.sql("""
				update payment_transactions
				   set status = case kind when 'plan' then 'subscribed' else 'paid' end,
				       payment_intent = :intent, subscription_id = :subscription, updated_at = now(),
				       paid_at = coalesce(:paidAt, now())
				 where checkout_id = :checkout and status in ('pending', 'failed', 'expired') returning *""")
			.bind("checkout", checkout.id())
			.bind("intent", nullable(checkout.paymentIntent()))
			.bind("subscription", nullable(checkout.subscriptionId()))
			.bind("paidAt", instant(paidAt(event)))
			.map(Purchase::read)
			.one()
			.filter(purchase -> purchase.kind().equals("pack"))
			.flatMap(purchase -> ledger.credit(new Movement(IdempotencyKey.of("payment:" + purchase.id()),
					new AccountId(purchase.userId()), Credits.of(purchase.credits()), "purchase of " + purchase.itemId(),
					checkout.id())).doOnNext(result -> log.info("purchase {} paid: {} credits", purchase.id(), purchase.credits())))
			.then());
	}

	/**
	 * When the money arrived, if the event says: {@code async_payment_succeeded} is that moment, and
	 * {@code completed} is when its session was already paid (a card); a session completed unpaid (a bank
	 * debit) was paid later, and a checkout the reconciler finds comes with no event. Null then: the
	 * settlement's own time, never earlier than the payment.
	 */
	static @Nullable Instant paidAt(PaymentGateway.@Nullable PaymentEvent event) {
		if (event == null) {
			return null;
		}
		return switch (event.type()) {
			case "checkout.session.async_payment_succeeded" -> event.created();
			case "checkout.session.completed" -> "paid".equals(event.objectPaymentStatus())
					|| "no_payment_required".equals(event.objectPaymentStatus()) ? event.created() : null;
			default -> null;
		};
	}

	/** The checkout ended without payment ({@code failed} or {@code expired}); a paid purchase stays paid. */
	Mono<Void> unpaid(String provider, String checkoutId, String status, PaymentGateway.@Nullable PaymentEvent event) {
		return inbox.once(provider, event, db.sql("update payment_transactions set status = :status, updated_at = now() "
				+ "where checkout_id = :checkout and status = 'pending'")
			.bind("status", status)
			.bind("checkout", checkoutId)
			.then());
	}

	/** An event Kiln does not act on: recorded, so that its redeliveries are recognised too. */
	Mono<Void> acknowledge(String provider, PaymentGateway.PaymentEvent event) {
		return inbox.once(provider, event, Mono.empty());
	}

	/** A timestamp parameter that may be null. */
	static Parameter instant(@Nullable Instant value) {
		return Parameter.fromOrEmpty(value == null ? null : value.atOffset(ZoneOffset.UTC), OffsetDateTime.class);
	}

	/** A text parameter that may be null. */
	static Parameter nullable(@Nullable String value) {
		return Parameter.fromOrEmpty(value, String.class);
	}
}
