package dev.kiln.testing.stripe;

import java.time.Duration;

/**
 * The ways a test can make webhook delivery misbehave, and Stripe's retry policy. Each batch of events
 * (everything one change raised) takes a {@link Plan} when it is queued, so switches set before a change
 * apply to that change's events even if earlier deliveries are still under way.
 */
final class WebhookFaults {

	/** The switches as they were when a batch was queued. */
	record Plan(int duplicates, int concurrentCopies, Duration delay, boolean reverse, boolean drop,
			boolean forgeFirst, Duration staleBy, int maxAttempts, Duration firstBackoff) {
	}

	private static final int DEFAULT_ATTEMPTS = 4;

	private static final Duration DEFAULT_BACKOFF = Duration.ofMillis(200);

	private int duplicates = 1;

	private int concurrentCopies = 1;

	private Duration delay = Duration.ZERO;

	private boolean reverse;

	private boolean drop;

	private boolean forgeNext;

	private Duration staleBy = Duration.ZERO;

	private int maxAttempts = DEFAULT_ATTEMPTS;

	private Duration firstBackoff = DEFAULT_BACKOFF;

	synchronized void duplicates(int copies) {
		this.duplicates = atLeastOne(copies);
	}

	synchronized void concurrentCopies(int copies) {
		this.concurrentCopies = atLeastOne(copies);
	}

	synchronized void delay(Duration delay) {
		this.delay = notNegative(delay);
	}

	synchronized void reverse(boolean reverse) {
		this.reverse = reverse;
	}

	synchronized void drop(boolean drop) {
		this.drop = drop;
	}

	synchronized void forgeNext() {
		this.forgeNext = true;
	}

	synchronized void staleBy(Duration age) {
		this.staleBy = notNegative(age);
	}

	synchronized void retries(int maxAttempts, Duration firstBackoff) {
		this.maxAttempts = atLeastOne(maxAttempts);
		this.firstBackoff = notNegative(firstBackoff);
	}

	synchronized void reset() {
		duplicates = 1;
		concurrentCopies = 1;
		delay = Duration.ZERO;
		reverse = false;
		drop = false;
		forgeNext = false;
		staleBy = Duration.ZERO;
		maxAttempts = DEFAULT_ATTEMPTS;
		firstBackoff = DEFAULT_BACKOFF;
	}

	/** The plan for the next batch; a forged signature is used up by the batch that takes it. */
	synchronized Plan take() {
		Plan plan = new Plan(duplicates, concurrentCopies, delay, reverse, drop, forgeNext && !drop, staleBy,
				maxAttempts, firstBackoff);
		if (!drop) {
			forgeNext = false;
		}
		return plan;
	}

	private static int atLeastOne(int value) {
		if (value < 1) {
			throw new IllegalArgumentException("Must be at least 1: " + value);
		}
		return value;
	}

	private static Duration notNegative(Duration duration) {
		if (duration == null || duration.isNegative()) {
			throw new IllegalArgumentException("Must be zero or positive: " + duration);
		}
		return duration;
	}
}
