package dev.kiln.providers.vertex;

import java.util.Objects;

/** An image generation from a text prompt. */
public record ImageRequest(String prompt) {

	public ImageRequest {
		Objects.requireNonNull(prompt, "prompt");
		if (prompt.isBlank()) {
			throw new IllegalArgumentException("An image request needs a prompt");
		}
	}
}
