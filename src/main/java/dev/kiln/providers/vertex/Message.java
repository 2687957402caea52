package dev.kiln.providers.vertex;

import java.util.Objects;

/** One turn of a conversation: the user's or the model's text. */
public record Message(Role role, String text) {

	public enum Role {
		USER, MODEL
	}

	public Message {
		Objects.requireNonNull(role, "role");
		Objects.requireNonNull(text, "text");
	}

	public static Message user(String text) {
		return new Message(Role.USER, text);
	}

	public static Message model(String text) {
		return new Message(Role.MODEL, text);
	}
}
