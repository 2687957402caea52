package dev.kiln.providers.vertex;

/**
 * Vertex refused the prompt ({@code promptFeedback.blockReason}) or withheld the answer
 * ({@code finishReason = SAFETY}): never retried, never sent to another route.
 */
public class SafetyBlocked extends RuntimeException {

	private final String reason;

	public SafetyBlocked(String reason) {
		super("Vertex blocked the generation for safety: " + reason);
		this.reason = reason;
	}

	/** Vertex's reason, e.g. {@code SAFETY}, {@code PROHIBITED_CONTENT}. */
	public String reason() {
		return reason;
	}
}
