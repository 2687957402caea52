package dev.kiln.providers.vertex;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A route could not answer. Retried on the same route when {@code retryable} (429, 500, 503, I/O,
 * timeouts), not sooner than {@code retryAfter} when Vertex said when; in any case the next route of the
 * chain is tried. Never leaves this package.
 */
final class RouteFailure extends RuntimeException {

	private final boolean retryable;

	private final @Nullable Duration retryAfter;

	RouteFailure(String message, boolean retryable, Throwable cause) {
		this(message, retryable, null, cause);
	}

	RouteFailure(String message, boolean retryable, @Nullable Duration retryAfter, Throwable cause) {
		super(message, cause);
		this.retryable = retryable;
		this.retryAfter = retryAfter;
	}

	boolean retryable() {
		return retryable;
	}

	/** Vertex's own {@code Retry-After} (or RetryInfo) for this failure; null when it gave none. */
	@Nullable Duration retryAfter() {
		return retryAfter;
	}
}
