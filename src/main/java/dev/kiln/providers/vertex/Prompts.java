package dev.kiln.providers.vertex;

import java.util.List;

import com.google.genai.types.Content;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.Part;

/** Kiln's requests as google-genai's contents and generation config. */
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
}
