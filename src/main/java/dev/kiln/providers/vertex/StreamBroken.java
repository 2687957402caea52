package dev.kiln.providers.vertex;

/**
 * A stream failed after it had sent text: it is not retried or continued elsewhere, as the user has
 * already seen part of an answer; the caller must treat the generation as failed.
 */
public class StreamBroken extends RuntimeException {

	public StreamBroken(String message, Throwable cause) {
		super(message, cause);
	}
}
