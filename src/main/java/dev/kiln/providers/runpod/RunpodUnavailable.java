package dev.kiln.providers.runpod;

/**
 * RunPod could not take the call now (5xx, 429, a timeout, a refused connection, or its circuit is
 * open): the same call may succeed later, so work waits rather than fails.
 */
public class RunpodUnavailable extends RuntimeException {

	public RunpodUnavailable(String message, Throwable cause) {
		super(message, cause);
	}
}
