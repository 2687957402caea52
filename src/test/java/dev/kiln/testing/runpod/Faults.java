package dev.kiln.testing.runpod;

import java.time.Duration;

/**
 * The ways a test can make RunPod misbehave. A job takes a {@link Plan} of the switches when its
 * {@code /run} is accepted, so switches apply to jobs submitted after they are set, whatever happens to
 * earlier ones; {@code /run} failures and slow answers apply to requests as they arrive.
 */
final class Faults {

	/** The switches as they were when a job was accepted. */
	record Plan(boolean hang, String failWith, boolean skipUploads, boolean hold, boolean dropWebhook,
			int webhookCopies) {
	}

	private int failingRuns;

	private int failureStatus;

	private Duration slow = Duration.ZERO;

	private boolean hang;

	private String failWith;

	private boolean skipUploads;

	private boolean hold;

	private boolean dropWebhooks;

	private int webhookCopies = 1;

	synchronized void failRunRequests(int count, int status) {
		if (count < 0 || status < 400 || status > 599) {
			throw new IllegalArgumentException("Need a count >= 0 and a 4xx or 5xx status: " + count + ", " + status);
		}
		this.failingRuns = count;
		this.failureStatus = status;
	}

	/** The status the next {@code /run} must fail with, or 0 when it may succeed; uses up one failure. */
	synchronized int takeRunFailure() {
		if (failingRuns == 0) {
			return 0;
		}
		failingRuns--;
		return failureStatus;
	}

	synchronized void slow(Duration delay) {
		if (delay == null || delay.isNegative()) {
			throw new IllegalArgumentException("Must be zero or positive: " + delay);
		}
		this.slow = delay;
	}

	synchronized Duration slow() {
		return slow;
	}

	synchronized void hang(boolean hang) {
		this.hang = hang;
	}

	synchronized void failWith(String error) {
		this.failWith = error;
	}

	synchronized void skipUploads(boolean skip) {
		this.skipUploads = skip;
	}

	synchronized void hold(boolean hold) {
		this.hold = hold;
	}

	synchronized void dropWebhooks(boolean drop) {
		this.dropWebhooks = drop;
	}

	synchronized void webhookCopies(int copies) {
		if (copies < 1) {
			throw new IllegalArgumentException("Must be at least 1: " + copies);
		}
		this.webhookCopies = copies;
	}

	synchronized Plan plan() {
		return new Plan(hang, failWith, skipUploads, hold, dropWebhooks, webhookCopies);
	}

	synchronized void reset() {
		failingRuns = 0;
		failureStatus = 0;
		slow = Duration.ZERO;
		hang = false;
		failWith = null;
		skipUploads = false;
		hold = false;
		dropWebhooks = false;
		webhookCopies = 1;
	}
}
