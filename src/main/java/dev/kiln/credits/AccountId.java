package dev.kiln.credits;

import java.util.Objects;
import java.util.UUID;

/** A credit account; every user has exactly one, with the user's id. */
public record AccountId(UUID value) {

	public AccountId {
		Objects.requireNonNull(value, "account id");
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
