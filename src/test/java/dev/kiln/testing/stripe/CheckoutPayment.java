package dev.kiln.testing.stripe;

/**
 * What paying a Checkout Session produced. For {@code mode=payment}, {@code paymentIntentId} and
 * {@code chargeId} are the payment's, and subscription and invoice are null; for
 * {@code mode=subscription} they are the first invoice's. {@code customerId} is null for a guest payment.
 */
public record CheckoutPayment(String sessionId, String customerId, String paymentIntentId, String chargeId,
		String subscriptionId, String invoiceId) {
}
