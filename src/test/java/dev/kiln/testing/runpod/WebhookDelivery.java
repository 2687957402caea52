package dev.kiln.testing.runpod;

import java.net.URI;
import java.time.Instant;

/**
 * One POST of a job's status to its webhook and what the receiver answered. {@code attempt} counts from 1
 * for RunPod's retries of this copy; {@code copy} tells apart the copies {@code duplicateWebhooks} sends.
 * {@code status} is -1 when no HTTP answer came (connection refused, timeout).
 */
public record WebhookDelivery(String jobId, URI url, String body, int status, int copy, int attempt,
		Instant at) {

	public boolean succeeded() {
		return status >= 200 && status < 300;
	}
}
