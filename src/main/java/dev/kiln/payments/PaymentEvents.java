package dev.kiln.payments;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

/**
 * What each provider event means. Order is never assumed: for a checkout, the provider is asked for
 * the checkout's current state, and that state decides.
 */
@Service
public class PaymentEvents {

	/** The event types to enable on the provider's webhook endpoint; others are acknowledged and ignored. */
	public static final java.util.List<String> HANDLED = java.util.List.of("checkout.session.completed",
			"checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed",
			"checkout.session.expired");

	private final PaymentGateway gateway;

	private final Settlements settlements;

	PaymentEvents(PaymentGateway gateway, Settlements settlements) {
		this.gateway = gateway;
		this.settlements = settlements;
	}

	Mono<Void> apply(PaymentGateway.PaymentEvent event) {
		String provider = gateway.provider();
		if (event.objectId() == null || !event.type().startsWith("checkout.session.")) {
			return settlements.acknowledge(provider, event);
		}
		return gateway.checkoutState(event.objectId()).flatMap(state -> {
			if (state.isPaid()) {
				return settlements.paid(provider, state.id(), event);
			}
			return switch (event.type()) {
				case "checkout.session.async_payment_failed" -> settlements.unpaid(provider, state.id(), "failed", event);
				case "checkout.session.expired" -> settlements.unpaid(provider, state.id(), "expired", event);
				default -> settlements.acknowledge(provider, event);
			};
		});
	}
}
