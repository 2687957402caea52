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
	private static final String PROMPT_BLOCKED = "Image generation failed with the following error: The prompt "
			+ "could not be submitted. This prompt contains sensitive words that violate Google's Responsible AI "
			+ "practices. Try rephrasing the prompt. If you think this was an error, send feedback. Support codes: "
			+ "42876398";

	/** Vertex's answer to {@code :predict} on a Gemini model: a 400 {@code FAILED_PRECONDITION}. */
	private static final String GEMINI_ON_PREDICT = "Gemini cannot be accessed through Vertex Predict/RawPredict "
			+ "API. Please follow "
			+ "https://cloud.google.com/vertex-ai/docs/generative-ai/start/quickstarts/quickstart-multimodal for "
			+ "Gemini usage.";

	private static final String FILTERED = "Your current safety filter threshold filtered out %d generated images. "
			+ "You will not be charged for blocked images. Try rephrasing the prompt. If you think this was an error, "
			+ "send feedback. Support codes: 56562880";

	/** An HTTP status and the JSON body to send with it. */
	record Reply(int status, Map<String, Object> body) {
	}

	private ImagenReplies() {
	}

	/**
	 * The answer to a {@code :predict} call that passed authentication and the failure switches: images,
	 * or a prompt refused with a 400 (as Vertex refuses one its filters block), or every image filtered
	 * when answers are blocked.
	 */
	static Reply answer(String model, String body, Faults faults) {
		if (!predicts(model)) {
			return new Reply(400, Errors.body(400, "FAILED_PRECONDITION", GEMINI_ON_PREDICT));
		}
		ImagenPrompt prompt;
		try {
			prompt = ImagenPrompt.read(JsonTrees.readObject(body));
		}
		catch (IllegalArgumentException ex) {
			return new Reply(400, Errors.body(400, ex.getMessage()));
		}
		if (faults.blocksPrompt(prompt.text())) {
			return new Reply(400, Errors.body(400, PROMPT_BLOCKED));
		}
		return new Reply(200, faults.blockAnswers() ? filtered(prompt) : drawn(model, prompt));
	}

	/** Whether {@code :predict} serves this model: Gemini's models answer only {@code generateContent}. */
	private static boolean predicts(String model) {
		return !model.toLowerCase(Locale.ROOT).startsWith("gemini");
	}

	/** {@code sampleCount} images, each a small picture that follows from model, prompt and its index. */
	private static Map<String, Object> drawn(String model, ImagenPrompt prompt) {
		List<Map<String, Object>> predictions = new ArrayList<>();
		for (int i = 0; i < prompt.sampleCount(); i++) {
			byte[] image = Png.of(model + "\n" + prompt.text() + "\n" + i, prompt.mimeType());
			predictions.add(JsonTrees.object("mimeType", prompt.mimeType(), "bytesBase64Encoded",
					Base64.getEncoder().encodeToString(image)));
		}
		return JsonTrees.object("predictions", predictions);
	}

	/** Every image filtered out: the reason when the request asked for it, else an empty answer. */
	private static Map<String, Object> filtered(ImagenPrompt prompt) {
		if (!prompt.includeRaiReason()) {
			return Map.of();
		}
		return JsonTrees.object("predictions",
				List.of(JsonTrees.object("raiFilteredReason", FILTERED.formatted(prompt.sampleCount()))));
	}
}
