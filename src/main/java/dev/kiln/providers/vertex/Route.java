package dev.kiln.providers.vertex;

import java.util.Objects;

/** A Gemini model in a Vertex AI location, e.g. {@code gemini-2.5-flash} in {@code europe-west4}. */
public record Route(String model, String location) {

	public Route {
		Objects.requireNonNull(model, "model");
		Objects.requireNonNull(location, "location");
	}

	@Override
	public String toString() {
		return model + "@" + location;
	}
}
