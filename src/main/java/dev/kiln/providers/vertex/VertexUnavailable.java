package dev.kiln.providers.vertex;

import org.jspecify.annotations.Nullable;

/**
 * No route could answer: each failed (429, 5xx, I/O, timeout, or a refusal such as 403/404) after its
 * retries, or had its circuit open or its bulkhead full. The same request may succeed later.
 */
public class VertexUnavailable extends RuntimeException {

	public VertexUnavailable(String message, @Nullable Throwable cause) {
		super(message, cause);
	}
}
