package dev.kiln.providers.vertex;

/**
 * A route could not answer. Retried on the same route when {@code retryable} (429, 500, 503, I/O,
 * timeouts); in any case the next route of the chain is tried. Never leaves this package.
 */
final class RouteFailure extends RuntimeException {

	private final boolean retryable;

	RouteFailure(String message, boolean retryable, Throwable cause) {
		super(message, cause);
		this.retryable = retryable;
	}

	boolean retryable() {
		return retryable;
	}
}
