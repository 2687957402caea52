package dev.kiln.providers.vertex;

import java.util.List;

import com.google.genai.types.Content;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateImagesConfig;
import com.google.genai.types.Part;

/** Kiln's requests as google-genai's contents and generation configs (Gemini's and Imagen's). */
final class Prompts {

	private Prompts() {
	}

	static List<Content> contents(List<Message> messages) {
		return messages.stream()
			.map(message -> Content.builder()
				.role(message.role() == Message.Role.USER ? "user" : "model")
				.parts(Part.fromText(message.text()))
				.build())
			.toList();
	}

	static GenerateContentConfig text(TextRequest request, int maxOutputTokens) {
		GenerateContentConfig.Builder config = GenerateContentConfig.builder()
			.candidateCount(1)
			.temperature((float) request.temperature())
			.maxOutputTokens(maxOutputTokens);
		if (request.systemInstruction() != null && !request.systemInstruction().isBlank()) {
			config.systemInstruction(Content.fromParts(Part.fromText(request.systemInstruction())));
		}
		return config.build();
	}

	/** Gemini's image models answer text and image parts; Kiln keeps the first image. */
	static GenerateContentConfig image() {
		return GenerateContentConfig.builder().candidateCount(1).responseModalities("TEXT", "IMAGE").build();
	}

	/**
	 * One PNG from Imagen. The count is explicit: Vertex draws, and bills, four when it is left out. The
	 * filter's reason is asked for, or a filtered image would be left out without a word.
	 */
	static GenerateImagesConfig imagen() {
		return GenerateImagesConfig.builder().numberOfImages(1).includeRaiReason(true).outputMimeType("image/png")
			.build();
	}
}
