package dev.kiln.payments;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What Kiln needs from a payment provider. Stripe implements it today; a second gateway (crypto)
 * implements the same operations, and the ledger never knows which one took the money.
 */
interface PaymentGateway {

	String provider();

	/** The provider's customer for this user, made once (the provider deduplicates by key). */
	Mono<String> customer(UUID user);

	/** A hosted checkout for one purchase; retrying with the same transaction gives the same checkout. */
	Mono<Checkout> checkout(UUID transaction, String customer, CatalogSettings.Pack pack);

	/** The checkout's state as the provider knows it now (webhooks may arrive late or out of order). */
	Mono<CheckoutState> checkoutState(String checkoutId);

	/** Verifies a webhook on its raw body; throws {@link InvalidWebhook} for anything not provably genuine. */
	PaymentEvent verify(String payload, @Nullable String signature);

	record Checkout(String id, String url) {
	}

	record CheckoutState(String id, String status, String paymentStatus) {

		boolean isPaid() {
			return "paid".equals(paymentStatus) || "no_payment_required".equals(paymentStatus);
		}
	}

	/** An event: its id, its type and the id of the object it is about. */
	record PaymentEvent(String id, String type, @Nullable String objectId) {
	}
}
