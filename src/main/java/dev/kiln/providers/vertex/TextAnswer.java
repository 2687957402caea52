package dev.kiln.providers.vertex;

/**
 * A whole text answer.
 *
 * @param finishReason Vertex's reason, e.g. {@code STOP} or {@code MAX_TOKENS} (cut at maxOutputTokens)
 * @param servedBy the route that answered (for a cache hit: the one that answered first)
 * @param cacheHit answered from the cache: Vertex was not called
 * @param credits what the user is charged
 * @param providerCost what Vertex charges the operator, in micros of {@code kiln.vertex.currency}; 0 for a hit
 */
public record TextAnswer(String text, String finishReason, Route servedBy, Usage usage, boolean cacheHit,
		long credits, long providerCost) {
}
