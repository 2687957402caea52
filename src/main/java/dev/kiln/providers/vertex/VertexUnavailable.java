package dev.kiln.providers.vertex;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * No route could answer: each failed (429, 5xx, I/O, timeout, or a refusal such as 403/404) after its
 * retries, or had its circuit open or its bulkhead full. The same request may succeed later.
 */
public class VertexUnavailable extends RuntimeException {

	private final @Nullable Duration retryAfter;

	public VertexUnavailable(String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
		super(message, cause);
		this.retryAfter = retryAfter;
	}

	/** The soonest wait any route's provider asked for ({@code Retry-After}); null when none said. */
	public @Nullable Duration retryAfter() {
		return retryAfter;
	}
}
