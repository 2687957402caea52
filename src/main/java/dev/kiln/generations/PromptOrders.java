package dev.kiln.generations;

import java.util.List;

import dev.kiln.platform.web.InvalidField;
import dev.kiln.providers.vertex.ImageRequest;
import dev.kiln.providers.vertex.Message;
import dev.kiln.providers.vertex.TextRequest;

/** Turns a request for an image or a text into what Gemini is asked, or says which field is wrong. */
final class PromptOrders {

	private PromptOrders() {
	}

	static ImageRequest image(GenerationRequest request) {
		if (request.prompt() == null || request.prompt().isBlank()) {
			throw new InvalidField("prompt", "must not be blank: describe the image");
		}
		if (request.messages() != null) {
			throw new InvalidField("messages", "are for text; an image takes a prompt");
		}
		if (request.streamed()) {
			throw new InvalidField("stream", "is for text; an image comes whole");
		}
		return new ImageRequest(request.prompt());
	}

	static TextRequest text(GenerationRequest request) {
		boolean hasPrompt = request.prompt() != null && !request.prompt().isBlank();
		if (hasPrompt == (request.messages() != null)) {
			throw new InvalidField(hasPrompt ? "messages" : "prompt",
					"give either a prompt or messages (a conversation), not both and not neither");
		}
		List<Message> messages = hasPrompt ? List.of(Message.user(request.prompt()))
				: request.messages().stream()
					.map(message -> new Message(message.role().equals("user") ? Message.Role.USER : Message.Role.MODEL,
							message.text()))
					.toList();
		if (messages.getLast().role() != Message.Role.USER) {
			throw new InvalidField("messages", "must end with the user's turn");
		}
		return new TextRequest(messages, request.temperature() == null ? 1.0 : request.temperature(),
				request.maxOutputTokens(), request.system());
	}
}
