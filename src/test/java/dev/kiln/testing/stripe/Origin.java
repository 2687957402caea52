package dev.kiln.testing.stripe;

/**
 * What caused a change, as an event's {@code request} field tells it: an API request and its
 * idempotency key, or nothing for Stripe's own doing (a customer paying on the hosted page, a renewal).
 */
record Origin(String requestId, String idempotencyKey) {

	static final Origin AUTOMATIC = new Origin(null, null);
}
