package dev.kiln.credits;

import java.util.Objects;
import java.util.UUID;

public record HoldId(UUID value) {

	public HoldId {
		Objects.requireNonNull(value, "hold id");
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
