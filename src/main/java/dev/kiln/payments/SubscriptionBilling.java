package dev.kiln.payments;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Movement;
import dev.kiln.credits.SpendingLocks;
import dev.kiln.platform.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;

/**
 * Monthly plans. Every paid invoice of a subscription Kiln started grants the plan's credits once: the
 * invoice becomes a {@code payment_transactions} row (its id is unique there) and the credit's key is
 * {@code invoice:<id>}. A failed payment locks new spending until that invoice is paid. Invoices and
 * subscriptions are read from the provider, so reordered events end in the provider's current state.
 */
@Service
class SubscriptionBilling {

	private static final Logger log = LoggerFactory.getLogger(SubscriptionBilling.class);

	private final DatabaseClient db;

	private final CreditLedger ledger;

	private final SpendingLocks locks;

	private final Inbox inbox;

	SubscriptionBilling(DatabaseClient db, CreditLedger ledger, SpendingLocks locks, Inbox inbox) {
		this.db = db;
		this.ledger = ledger;
		this.locks = locks;
		this.inbox = inbox;
	}

	/** {@code invoice.paid} or {@code invoice.payment_failed}: the invoice's current status decides. */
	Mono<Void> invoice(String provider, PaymentGateway.InvoiceState invoice, PaymentGateway.SubscriptionState subscription,
			PaymentGateway.PaymentEvent event) {
		if (!subscription.isKilns()) {
			log.warn("invoice {} is for subscription {}, which Kiln did not start; ignored", invoice.id(), subscription.id());
			return inbox.once(provider, event, Mono.empty());
		}
		AccountId account = new AccountId(subscription.user());
		if (invoice.isPaid()) {
			return inbox.once(provider, event, record(provider, subscription)
				.then(grant(provider, invoice, subscription))
				.then(locks.release(account, SpendingLocks.Reason.PAYMENT_OVERDUE, invoice.id())));
		}
		if (invoice.isOpen() && event.type().equals("invoice.payment_failed")) {
			log.info("invoice {} of subscription {} is unpaid: new spending paused", invoice.id(), subscription.id());
			return inbox.once(provider, event, record(provider, subscription)
				.then(locks.lock(account, SpendingLocks.Reason.PAYMENT_OVERDUE, invoice.id())));
		}
		return inbox.once(provider, event, Mono.empty());
	}

	/** {@code customer.subscription.*}: the subscription as the provider has it now. */
	Mono<Void> changed(String provider, PaymentGateway.SubscriptionState subscription, PaymentGateway.PaymentEvent event) {
		return inbox.once(provider, event, subscription.isKilns() ? record(provider, subscription) : Mono.empty());
	}

	private Mono<Void> grant(String provider, PaymentGateway.InvoiceState invoice, PaymentGateway.SubscriptionState subscription) {
		return db.sql("""
				insert into payment_transactions (id, user_id, provider, kind, item_id, amount, currency, credits, status,
				                                  idempotency_key, invoice_id, subscription_id, payment_intent, paid_at)
				values (:id, :user, :provider, 'invoice', :plan, :amount, :currency, :credits, 'paid',
				        :key, :invoice, :subscription, :intent, coalesce(:paidAt, now()))
				on conflict do nothing returning *""")
			.bind("id", Ids.uuid())
			.bind("user", subscription.user())
			.bind("provider", provider)
			.bind("plan", subscription.planId())
			.bind("amount", invoice.amountPaid())
			.bind("currency", invoice.currency())
			.bind("credits", subscription.creditsPerPeriod())
			.bind("key", "invoice:" + invoice.id())
			.bind("invoice", invoice.id())
			.bind("subscription", subscription.id())
			.bind("intent", Settlements.nullable(invoice.paymentIntent()))
			.bind("paidAt", Settlements.instant(invoice.paidAt()))
			.map(Purchase::read)
			.one()
			.flatMap(purchase -> ledger.credit(new Movement(IdempotencyKey.of("invoice:" + invoice.id()),
					new AccountId(purchase.userId()), Credits.of(purchase.credits()),
					"monthly credits of " + purchase.itemId(), invoice.id())))
			.doOnNext(result -> log.info("invoice {} paid: {} credits granted", invoice.id(), subscription.creditsPerPeriod()))
			.then();
	}

	private Mono<Void> record(String provider, PaymentGateway.SubscriptionState subscription) {
		return db.sql("""
				insert into subscriptions (provider, subscription_id, user_id, plan_id, status, current_period_end, cancel_at_period_end)
				values (:provider, :id, :user, :plan, :status, :periodEnd, :cancelAtPeriodEnd)
				on conflict (provider, subscription_id) do update
				   set status = excluded.status, plan_id = excluded.plan_id, current_period_end = excluded.current_period_end,
				       cancel_at_period_end = excluded.cancel_at_period_end, updated_at = now()""")
			.bind("provider", provider)
			.bind("id", subscription.id())
			.bind("user", subscription.user())
			.bind("plan", subscription.planId())
			.bind("status", subscription.status())
			.bind("periodEnd", Parameter.fromOrEmpty(subscription.currentPeriodEnd(), java.time.Instant.class))
			.bind("cancelAtPeriodEnd", subscription.cancelAtPeriodEnd())
			.then();
	}
}
