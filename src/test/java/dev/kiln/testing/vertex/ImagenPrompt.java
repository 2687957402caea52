package dev.kiln.testing.vertex;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kiln.testing.JsonTrees;

/**
 * What the emulator reads from an Imagen {@code :predict} body, as google-genai's {@code generateImages}
 * writes it: {@code {"instances": [{"prompt"}], "parameters": {"sampleCount", "includeRaiReason",
 * "outputOptions": {"mimeType"}, ...}}}. Other parameters (aspect ratio, seed, safety setting, person
 * generation, watermark…) are accepted and have no effect.
 *
 * @param text {@code instances[0].prompt}
 * @param sampleCount images to draw, 1 to 4; Vertex draws (and bills) 4 when it is left out
 * @param includeRaiReason whether a filtered image is reported as a {@code raiFilteredReason} prediction
 * instead of left out silently
 * @param mimeType {@code parameters.outputOptions.mimeType}, {@code image/png} by default
 */
record ImagenPrompt(String text, int sampleCount, boolean includeRaiReason, String mimeType) {

	private static final Set<String> FORMATS = Set.of("image/png", "image/jpeg");

	/** Reads a request body; IllegalArgumentException (Vertex's 400) when it has no prompt or asks too much. */
	static ImagenPrompt read(Map<String, Object> request) {
		if (request == null) {
			throw new IllegalArgumentException("Invalid JSON payload received.");
		}
		List<?> instances = JsonTrees.listAt(request, "instances");
		if (instances.isEmpty() || !(instances.getFirst() instanceof Map<?, ?> instance)
				|| !(instance.get("prompt") instanceof String prompt) || prompt.isBlank()) {
			throw new IllegalArgumentException("Image generation needs a prompt in instances[0].prompt.");
		}
		Map<String, Object> parameters = JsonTrees.objectAt(request, "parameters");
		int samples = parameters.get("sampleCount") instanceof Number number ? number.intValue() : 4;
		if (samples < 1 || samples > 4) {
			throw new IllegalArgumentException("sampleCount must be between 1 and 4, not " + samples + ".");
		}
		Object format = JsonTrees.objectAt(parameters, "outputOptions").get("mimeType");
		String mimeType = format instanceof String type ? type : "image/png";
		if (!FORMATS.contains(mimeType)) {
			throw new IllegalArgumentException("Unsupported output mime type: " + mimeType + ".");
		}
		return new ImagenPrompt(prompt.strip(), samples, Boolean.TRUE.equals(parameters.get("includeRaiReason")),
				mimeType);
	}
}
