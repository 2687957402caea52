package dev.kiln.providers.vertex;

/** Vertex refused the request as invalid (400 {@code INVALID_ARGUMENT}): never retried or sent elsewhere. */
public class PromptRejected extends RuntimeException {

	private final String reason;

	public PromptRejected(String reason) {
		super("Vertex rejected the request: " + reason);
		this.reason = reason;
	}

	/** Vertex's explanation. */
	public String reason() {
		return reason;
	}
}
