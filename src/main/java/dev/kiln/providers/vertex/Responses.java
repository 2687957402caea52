package dev.kiln.providers.vertex;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.google.genai.types.Blob;
import com.google.genai.types.Candidate;
import com.google.genai.types.Content;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.Part;

/**
 * Reads google-genai's answers without its conveniences: {@code text()} and {@code parts()} throw on a
 * SAFETY finish, so parts are read from the first candidate directly.
 */
final class Responses {

	/** Finish reasons meaning the answer was withheld, not finished. */
	private static final Set<String> WITHHELD = Set.of("SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII",
			"IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT");

	private Responses() {
	}

	/** Throws {@link SafetyBlocked} when the prompt was refused or the answer withheld. */
	static GenerateContentResponse requireAllowed(GenerateContentResponse response) {
		Optional<String> refused = response.promptFeedback().flatMap(feedback -> feedback.blockReason())
			.map(Object::toString);
		if (refused.isPresent()) {
			throw new SafetyBlocked(refused.get());
		}
		String finish = finishReason(response);
		if (WITHHELD.contains(finish)) {
			throw new SafetyBlocked(finish);
		}
		return response;
	}

	/** The first candidate's finish reason, or an empty string while a stream goes on. */
	static String finishReason(GenerateContentResponse response) {
		return candidate(response).flatMap(Candidate::finishReason).map(Object::toString).orElse("");
	}

	/** The answer's text, thoughts left out. */
	static String text(GenerateContentResponse response) {
		StringBuilder text = new StringBuilder();
		for (Part part : parts(response)) {
			if (!part.thought().orElse(false)) {
				part.text().ifPresent(text::append);
			}
		}
		return text.toString();
	}

	/** The first inline image of the answer. */
	static Optional<Blob> image(GenerateContentResponse response) {
		return parts(response).stream()
			.flatMap(part -> part.inlineData().stream())
			.filter(blob -> blob.mimeType().orElse("").startsWith("image/") && blob.data().isPresent())
			.findFirst();
	}

	/** Tokens as Vertex bills them: thoughts count as output. */
	static Usage usage(GenerateContentResponse response, int images) {
		Optional<GenerateContentResponseUsageMetadata> usage = response.usageMetadata();
		long input = usage.flatMap(GenerateContentResponseUsageMetadata::promptTokenCount).orElse(0);
		long output = usage.flatMap(GenerateContentResponseUsageMetadata::candidatesTokenCount).orElse(0)
				+ (long) usage.flatMap(GenerateContentResponseUsageMetadata::thoughtsTokenCount).orElse(0);
		return new Usage(input, output, images);
	}

	private static Optional<Candidate> candidate(GenerateContentResponse response) {
		return response.candidates().flatMap(candidates -> candidates.stream().findFirst());
	}

	private static List<Part> parts(GenerateContentResponse response) {
		return candidate(response).flatMap(Candidate::content).flatMap(Content::parts).orElse(List.of());
	}
}
