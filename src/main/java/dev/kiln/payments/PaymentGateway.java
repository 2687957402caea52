package dev.kiln.payments;

import java.time.Instant;
import java.util.Collection;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What Kiln needs from a payment provider. Stripe implements it today; a second gateway (crypto)
 * implements the same operations, and the ledger never knows which one took the money. Every read
 * returns the provider's current state of an object: events only say which object to read.
 */
interface PaymentGateway {

	String provider();

	/** The provider's customer for this user, made once (the provider deduplicates by key). */
	Mono<String> customer(UUID user);

	/**
	 * A hosted checkout for one purchase of a pack, or the start of a plan's subscription; retrying
	 * with the same transaction gives the same checkout.
	 */
	Mono<Checkout> checkout(UUID transaction, UUID user, String customer, CatalogSettings.Item item);

	/** A page where the customer manages their subscription and payment methods; returns its URL. */
	Mono<String> portal(String customer);

	Mono<CheckoutState> checkoutState(String checkoutId);

	Mono<InvoiceState> invoice(String invoiceId);

	Mono<SubscriptionState> subscription(String subscriptionId);

	Mono<ChargeState> charge(String chargeId);

	Mono<DisputeState> dispute(String disputeId);

	/** Events of these types created since {@code since}, oldest first (at most a bounded number). */
	Flux<PaymentEvent> events(Instant since, Collection<String> types);

	/** Verifies a webhook on its raw body; throws {@link InvalidWebhook} for anything not provably genuine. */
	PaymentEvent verify(String payload, @Nullable String signature);

	record Checkout(String id, String url) {
	}

	record CheckoutState(String id, String mode, String status, String paymentStatus, @Nullable String paymentIntent,
			@Nullable String subscriptionId) {

		boolean isPaid() {
			return "complete".equals(status)
					&& ("paid".equals(paymentStatus) || "no_payment_required".equals(paymentStatus));
		}
	}

	/** An invoice; {@code subscriptionId} is null for one that is not a subscription's. */
	record InvoiceState(String id, String status, @Nullable String subscriptionId, long amountPaid, String currency,
			@Nullable String paymentIntent, @Nullable Instant paidAt) {

		boolean isPaid() {
			return "paid".equals(status);
		}

		boolean isOpen() {
			return "open".equals(status);
		}
	}

	/**
	 * A subscription; {@code user}, {@code planId} and {@code creditsPerPeriod} come from the metadata
	 * Kiln set when it started the subscription, and are null on one Kiln did not start.
	 */
	record SubscriptionState(String id, String status, @Nullable UUID user, @Nullable String planId,
			@Nullable Long creditsPerPeriod, @Nullable Instant currentPeriodEnd, boolean cancelAtPeriodEnd) {

		boolean isKilns() {
			return user != null && planId != null && creditsPerPeriod != null;
		}
	}

	/** A charge: {@code amount} captured, {@code amountRefunded} of it given back so far (minor units). */
	record ChargeState(String id, @Nullable String paymentIntent, long amount, long amountRefunded) {
	}

	/** A dispute; {@code status} is {@code won} or {@code lost} once it is closed. */
	record DisputeState(String id, String chargeId, @Nullable String paymentIntent, long amount, String status) {

		boolean isWon() {
			return "won".equals(status);
		}

		boolean isLost() {
			return "lost".equals(status);
		}
	}

	/**
	 * An event: its id, its type, the id of the object it is about, when the provider created it, and the
	 * {@code payment_status} that object had then (checkout sessions; null for other objects).
	 */
	record PaymentEvent(String id, String type, @Nullable String objectId, Instant created,
			@Nullable String objectPaymentStatus) {
	}
}
