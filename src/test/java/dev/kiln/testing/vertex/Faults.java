package dev.kiln.testing.vertex;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The ways a test can make Vertex misbehave. Every switch applies to requests as they arrive and stays
 * until changed or {@link #reset}; a counted failure is used up by the requests it fails.
 */
final class Faults {

	/**
	 * An error answer: the status and, when set, when to retry: a {@code Retry-After} header in whole
	 * seconds, or with {@code inBody} a {@code google.rpc.RetryInfo} detail in the error body instead.
	 */
	record Failure(int status, Duration retryAfter, boolean inBody) {

		Failure(int status, Duration retryAfter) {
			this(status, retryAfter, false);
		}

		Failure {
			if (status < 400 || status > 599) {
				throw new IllegalArgumentException("Need a 4xx or 5xx status: " + status);
			}
			if (retryAfter != null && retryAfter.isNegative()) {
				throw new IllegalArgumentException("Must be zero or positive: " + retryAfter);
			}
		}
	}

	private int failing;

	private Failure next;

	private final Map<String, Failure> models = new HashMap<>();

	private final Map<String, Failure> locations = new HashMap<>();

	private Duration slow = Duration.ZERO;

	private Duration chunkDelay = Duration.ZERO;

	private boolean blockPrompts;

	private String blockWord;

	private boolean blockAnswers;

	private int cutAfter = -1;

	synchronized void failNext(int count, Failure failure) {
		if (count < 0) {
			throw new IllegalArgumentException("Must be zero or positive: " + count);
		}
		this.failing = count;
		this.next = failure;
	}

	synchronized void failModel(String model, Failure failure) {
		put(models, model, failure);
	}

	synchronized void failLocation(String location, Failure failure) {
		put(locations, location, failure);
	}

	/**
	 * How this request must fail, or null when it may be answered: first a counted failure (using one
	 * up), then the model's, then the location's.
	 */
	synchronized Failure failureFor(String model, String location) {
		if (failing > 0) {
			failing--;
			return next;
		}
		Failure failure = models.get(model);
		return failure != null ? failure : locations.get(location);
	}

	synchronized void slow(Duration delay) {
		this.slow = positive(delay);
	}

	synchronized Duration slow() {
		return slow;
	}

	synchronized void chunkDelay(Duration delay) {
		this.chunkDelay = positive(delay);
	}

	synchronized Duration chunkDelay() {
		return chunkDelay;
	}

	synchronized void blockPrompts(boolean block) {
		this.blockPrompts = block;
	}

	synchronized void blockWord(String word) {
		this.blockWord = word == null || word.isBlank() ? null : word.toLowerCase(Locale.ROOT);
	}

	/** Whether this prompt is refused as unsafe before any generation. */
	synchronized boolean blocksPrompt(String prompt) {
		return blockPrompts
				|| (blockWord != null && prompt.toLowerCase(Locale.ROOT).contains(blockWord));
	}

	synchronized void blockAnswers(boolean block) {
		this.blockAnswers = block;
	}

	synchronized boolean blockAnswers() {
		return blockAnswers;
	}

	synchronized void cutStreamAfter(int chunks) {
		if (chunks < -1) {
			throw new IllegalArgumentException("Must be -1 (off) or more: " + chunks);
		}
		this.cutAfter = chunks;
	}

	/** How many chunks a stream may send before the connection drops, or -1 for the whole stream. */
	synchronized int cutAfter() {
		return cutAfter;
	}

	synchronized void reset() {
		failing = 0;
		next = null;
		models.clear();
		locations.clear();
		slow = Duration.ZERO;
		chunkDelay = Duration.ZERO;
		blockPrompts = false;
		blockWord = null;
		blockAnswers = false;
		cutAfter = -1;
	}

	private static void put(Map<String, Failure> faults, String key, Failure failure) {
		if (failure == null) {
			faults.remove(key);
		}
		else {
			faults.put(key, failure);
		}
	}

	private static Duration positive(Duration delay) {
		if (delay == null || delay.isNegative()) {
			throw new IllegalArgumentException("Must be zero or positive: " + delay);
		}
		return delay;
	}
}
