package dev.kiln.providers.vertex;

import java.util.Objects;

/**
 * A model in a Vertex AI location, e.g. {@code gemini-2.5-flash} in {@code europe-west4}, and the API it
 * is called through. Shown, and named in metrics, as {@code model@location}.
 */
public record Route(String model, String location, Api api) {

	/** How a route's model is called. */
	public enum Api {

		/** {@code :generateContent}: Gemini's text models, and its image models answering inline images. */
		GEMINI,

		/** {@code :predict} ({@code generateImages}): an Imagen model, one image per call, billed per image. */
		IMAGEN

	}

	/** No API given means Gemini: so routes configured, and answers cached, before Imagen existed still read. */
	public Route {
		Objects.requireNonNull(model, "model");
		Objects.requireNonNull(location, "location");
		api = api == null ? Api.GEMINI : api;
	}

	/** A Gemini route. */
	public Route(String model, String location) {
		this(model, location, Api.GEMINI);
	}

	@Override
	public String toString() {
		return model + "@" + location;
	}
}
