package dev.kiln.providers.vertex;

/**
 * Vertex refused the prompt ({@code promptFeedback.blockReason}), withheld the answer
 * ({@code finishReason = SAFETY}) or filtered Imagen's image ({@code raiFilteredReason}): never retried,
 * never sent to another route.
 */
public class SafetyBlocked extends RuntimeException {

	private final String reason;

	public SafetyBlocked(String reason) {
		super("Vertex blocked the generation for safety: " + reason);
		this.reason = reason;
	}

	/** Vertex's reason, e.g. {@code SAFETY}, {@code PROHIBITED_CONTENT}, or Imagen's sentence with its support code. */
	public String reason() {
		return reason;
	}
}
