package dev.kiln.testing.vertex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kiln.testing.JsonTrees;

/**
 * What the emulator reads from a {@code GenerateContentRequest}: the text of the user's turns, its
 * token count, and the generation limits it honours.
 *
 * @param text the text parts of the {@code user} turns of {@code contents}, joined by single spaces
 * @param tokens words of every text part (system instruction included) plus
 * {@value Tokens#IMAGE_INPUT} per inline image
 * @param maxOutputTokens {@code generationConfig.maxOutputTokens}, or null
 */
record Prompt(String text, int tokens, Integer maxOutputTokens) {

	/** Reads a request body; IllegalArgumentException (Vertex's 400) when it has no contents. */
	static Prompt read(Map<String, Object> request) {
		if (request == null) {
			throw new IllegalArgumentException("Invalid JSON payload received.");
		}
		List<?> contents = JsonTrees.listAt(request, "contents");
		if (contents.isEmpty()) {
			throw new IllegalArgumentException(
					"Unable to submit request because it has an empty contents field. Learn more: "
							+ "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini");
		}
		List<String> userText = new ArrayList<>();
		int tokens = count(JsonTrees.objectAt(request, "systemInstruction"), null);
		for (Object content : contents) {
			if (!(content instanceof Map<?, ?>)) {
				throw new IllegalArgumentException("Invalid value at 'contents': expected an object");
			}
			@SuppressWarnings("unchecked")
			Map<String, Object> turn = (Map<String, Object>) content;
			boolean user = !"model".equals(turn.get("role"));
			tokens += count(turn, user ? userText : null);
		}
		Object max = JsonTrees.objectAt(request, "generationConfig").get("maxOutputTokens");
		Integer maxOutputTokens = max instanceof Number number ? number.intValue() : null;
		if (maxOutputTokens != null && maxOutputTokens < 1) {
			throw new IllegalArgumentException("max_output_tokens must be positive.");
		}
		return new Prompt(String.join(" ", userText).strip(), tokens, maxOutputTokens);
	}

	private static int count(Map<String, Object> content, List<String> collect) {
		int tokens = 0;
		for (Object part : JsonTrees.listAt(content, "parts")) {
			if (part instanceof Map<?, ?> map) {
				if (map.get("text") instanceof String text) {
					tokens += Tokens.of(text);
					if (collect != null) {
						collect.add(text.strip());
					}
				}
				else if (map.get("inlineData") instanceof Map<?, ?> || map.get("fileData") instanceof Map<?, ?>) {
					tokens += Tokens.IMAGE_INPUT;
				}
			}
		}
		return tokens;
	}
}
