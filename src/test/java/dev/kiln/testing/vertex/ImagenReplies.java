package dev.kiln.testing.vertex;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kiln.testing.JsonTrees;

/**
 * Imagen's {@code :predict} answers: {@code {"predictions": [{"bytesBase64Encoded", "mimeType"}, ...]}},
 * one per image drawn and no usage (Imagen bills per image). A filtered image is one
 * {@code {"raiFilteredReason"}} prediction when the request set {@code includeRaiReason}, and nothing at
 * all ({@code {}}) when it did not. The texts are Vertex's.
 */
final class ImagenReplies {

	/** Vertex's refusal of a prompt its Responsible AI filters block: a 400 {@code INVALID_ARGUMENT}. */
	static final String PROMPT_BLOCKED = "Image generation failed with the following error: The prompt could not be "
			+ "submitted. This prompt contains sensitive words that violate Google's Responsible AI practices. Try "
			+ "rephrasing the prompt. If you think this was an error, send feedback. Support codes: 42876398";

	/** Vertex's answer to {@code :predict} on a Gemini model: a 400 {@code FAILED_PRECONDITION}. */
	static final String GEMINI_ON_PREDICT = "Gemini cannot be accessed through Vertex Predict/RawPredict API. "
			+ "Please follow https://cloud.google.com/vertex-ai/docs/generative-ai/start/quickstarts/quickstart-multimodal"
			+ " for Gemini usage.";

	private static final String FILTERED = "Your current safety filter threshold filtered out %d generated images. "
			+ "You will not be charged for blocked images. Try rephrasing the prompt. If you think this was an error, "
			+ "send feedback. Support codes: 56562880";

	private ImagenReplies() {
	}

	/** Whether {@code :predict} serves this model: Gemini's models answer only {@code generateContent}. */
	static boolean predicts(String model) {
		return !model.toLowerCase(Locale.ROOT).startsWith("gemini");
	}

	/** {@code sampleCount} images, each a small picture that follows from model, prompt and its index. */
	static Map<String, Object> drawn(String model, ImagenPrompt prompt) {
		List<Map<String, Object>> predictions = new ArrayList<>();
		for (int i = 0; i < prompt.sampleCount(); i++) {
			byte[] image = Png.of(model + "\n" + prompt.text() + "\n" + i, prompt.mimeType());
			predictions.add(JsonTrees.object("mimeType", prompt.mimeType(), "bytesBase64Encoded",
					Base64.getEncoder().encodeToString(image)));
		}
		return JsonTrees.object("predictions", predictions);
	}

	/** Every image filtered out: the reason when the request asked for it, else an empty answer. */
	static Map<String, Object> filtered(ImagenPrompt prompt) {
		if (!prompt.includeRaiReason()) {
			return Map.of();
		}
		return JsonTrees.object("predictions",
				List.of(JsonTrees.object("raiFilteredReason", FILTERED.formatted(prompt.sampleCount()))));
	}
}
