package dev.kiln.payments;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

/**
 * What each provider event means. Order is never assumed: an event only names the object it is about,
 * the provider is asked for that object's current state, and that state decides.
 */
@Service
public class PaymentEvents {

	/** The event types to enable on the provider's webhook endpoint; others are acknowledged and ignored. */
	public static final List<String> HANDLED = List.of("checkout.session.completed",
			"checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed",
			"checkout.session.expired", "invoice.paid", "invoice.payment_failed", "customer.subscription.created",
			"customer.subscription.updated", "customer.subscription.deleted", "charge.refunded",
			"charge.dispute.created", "charge.dispute.closed");

	private final PaymentGateway gateway;

	private final Settlements settlements;

	private final SubscriptionBilling billing;

	private final Refunds refunds;

	private final Disputes disputes;

	PaymentEvents(PaymentGateway gateway, Settlements settlements, SubscriptionBilling billing, Refunds refunds,
			Disputes disputes) {
		this.gateway = gateway;
		this.settlements = settlements;
		this.billing = billing;
		this.refunds = refunds;
		this.disputes = disputes;
	}

	Mono<Void> apply(PaymentGateway.PaymentEvent event) {
		String provider = gateway.provider();
		String id = event.objectId();
		if (id == null || !HANDLED.contains(event.type())) {
			return settlements.acknowledge(provider, event);
		}
		String type = event.type();
		if (type.startsWith("checkout.session.")) {
			return gateway.checkoutState(id).flatMap(checkout -> checkout(checkout, event));
		}
		if (type.startsWith("invoice.")) {
			return gateway.invoice(id).flatMap(invoice -> invoice.subscriptionId() == null
					? settlements.acknowledge(provider, event)
					: gateway.subscription(invoice.subscriptionId())
						.flatMap(subscription -> billing.invoice(provider, invoice, subscription, event)));
		}
		if (type.startsWith("customer.subscription.")) {
			return gateway.subscription(id).flatMap(subscription -> billing.changed(provider, subscription, event));
		}
		if (type.equals("charge.refunded")) {
			return gateway.charge(id).flatMap(charge -> refunds.refunded(provider, charge, event));
		}
		return gateway.dispute(id).flatMap(dispute -> disputes.apply(provider, dispute, event));
	}

	private Mono<Void> checkout(PaymentGateway.CheckoutState checkout, PaymentGateway.PaymentEvent event) {
		String provider = gateway.provider();
		if (checkout.isPaid()) {
			return settlements.paid(provider, checkout, event);
		}
		return switch (event.type()) {
			case "checkout.session.async_payment_failed" -> settlements.unpaid(provider, checkout.id(), "failed", event);
			case "checkout.session.expired" -> settlements.unpaid(provider, checkout.id(), "expired", event);
			default -> settlements.acknowledge(provider, event);
		};
	}
}
