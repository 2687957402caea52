package dev.kiln.providers.vertex;

/** A piece of a streamed text answer: {@link Delta}s in order, then one {@link Done}. */
public sealed interface TextChunk {

	/** The next piece of text. */
	record Delta(String text) implements TextChunk {
	}

	/** The end of a stream: the fields of {@link TextAnswer}, without the text already streamed. */
	record Done(String finishReason, Route servedBy, Usage usage, boolean cacheHit, long credits,
			long providerCost) implements TextChunk {
	}
}
