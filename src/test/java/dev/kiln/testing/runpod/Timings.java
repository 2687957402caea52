package dev.kiln.testing.runpod;

import java.time.Duration;

/**
 * How long things take. Defaults keep tests fast where RunPod is slow (a job is queued for 20 ms and
 * reports progress every 20 ms) and follow RunPod's documentation where a client depends on them:
 * results kept 30 minutes, webhooks tried 3 times 10 s apart, jobs timed out after 10 minutes and
 * dropped after 24 hours unless their {@code policy} says otherwise.
 */
final class Timings {

	static final Duration EXECUTION_TIMEOUT = Duration.ofMinutes(10);

	static final Duration TTL = Duration.ofHours(24);

	private Duration queueDelay = Duration.ofMillis(20);

	private Duration stepDelay = Duration.ofMillis(20);

	private Duration retention = Duration.ofMinutes(30);

	private int webhookAttempts = 3;

	private Duration webhookRetryDelay = Duration.ofSeconds(10);

	synchronized void queueDelay(Duration delay) {
		this.queueDelay = notNegative(delay);
	}

	synchronized Duration queueDelay() {
		return queueDelay;
	}

	synchronized void stepDelay(Duration delay) {
		this.stepDelay = notNegative(delay);
	}

	synchronized Duration stepDelay() {
		return stepDelay;
	}

	synchronized void retention(Duration retention) {
		this.retention = notNegative(retention);
	}

	synchronized Duration retention() {
		return retention;
	}

	synchronized void webhookRetries(int attempts, Duration delay) {
		if (attempts < 1) {
			throw new IllegalArgumentException("Must be at least 1: " + attempts);
		}
		this.webhookAttempts = attempts;
		this.webhookRetryDelay = notNegative(delay);
	}

	synchronized int webhookAttempts() {
		return webhookAttempts;
	}

	synchronized Duration webhookRetryDelay() {
		return webhookRetryDelay;
	}

	private static Duration notNegative(Duration duration) {
		if (duration == null || duration.isNegative()) {
			throw new IllegalArgumentException("Must be zero or positive: " + duration);
		}
		return duration;
	}
}
