package dev.kiln.providers.vertex;

/** What Vertex counted for one answer: prompt tokens, output tokens (images included) and images. */
public record Usage(long inputTokens, long outputTokens, int images) {

	public Usage {
		if (inputTokens < 0 || outputTokens < 0 || images < 0) {
			throw new IllegalArgumentException("Usage cannot be negative");
		}
	}
}
