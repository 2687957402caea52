package dev.kiln.providers.vertex;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A text generation.
 *
 * @param messages the conversation so far, oldest first, ending with the user's turn
 * @param temperature 0 to 2; exactly 0 makes the request deterministic, so its answer may be cached
 * @param maxOutputTokens at most this many output tokens; null or above {@code kiln.vertex.max-output-tokens}
 * means that cap
 * @param systemInstruction optional instructions for the model
 */
public record TextRequest(List<Message> messages, double temperature, @Nullable Integer maxOutputTokens,
		@Nullable String systemInstruction) {

	public TextRequest {
		messages = List.copyOf(messages);
		if (messages.isEmpty()) {
			throw new IllegalArgumentException("A text request needs at least one message");
		}
		if (!(temperature >= 0 && temperature <= 2)) {
			throw new IllegalArgumentException("Temperature must be within 0 and 2: " + temperature);
		}
		if (maxOutputTokens != null && maxOutputTokens < 1) {
			throw new IllegalArgumentException("maxOutputTokens must be positive: " + maxOutputTokens);
		}
	}

	/** One user message, no system instruction, the configured output cap. */
	public static TextRequest of(String prompt, double temperature) {
		return new TextRequest(List.of(Message.user(prompt)), temperature, null, null);
	}

	/** Whether the same request always gets the same answer, so that it may be cached. */
	public boolean deterministic() {
		return temperature == 0;
	}
}
