package dev.kiln.testing.stripe;

import java.time.Instant;

/**
 * One POST of an event to the webhook endpoint and what the endpoint answered. {@code attempt} counts
 * from 1 for Stripe's retries of this copy; {@code copy} tells apart the copies a duplication fault
 * sends. {@code status} is -1 when no HTTP answer came (connection refused, timeout).
 */
public record WebhookDelivery(String eventId, String eventType, int copy, int attempt, int status,
		String signatureHeader, String payload, String responseBody, Instant at) {

	public boolean succeeded() {
		return status >= 200 && status < 300;
	}
}
