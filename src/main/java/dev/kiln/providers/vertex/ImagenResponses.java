package dev.kiln.providers.vertex;

import java.util.List;
import java.util.Optional;

import com.google.genai.types.GenerateImagesResponse;
import com.google.genai.types.GeneratedImage;
import com.google.genai.types.Image;

/**
 * Reads Imagen's answers. A filtered image still comes as a {@link GeneratedImage}, with a
 * {@code raiFilteredReason} and an image without bytes, so the bytes are what tells an image from a
 * refusal; {@code images()} is not used, as it is null when nothing came back.
 */
final class ImagenResponses {

	private ImagenResponses() {
	}

	/** The first image with bytes; {@link SafetyBlocked} with Imagen's reason when there is none. */
	static Image image(GenerateImagesResponse response) {
		List<GeneratedImage> generated = response.generatedImages().orElse(List.of());
		Optional<Image> drawn = generated.stream()
			.flatMap(sample -> sample.image().stream())
			.filter(image -> image.imageBytes().isPresent())
			.findFirst();
		return drawn.orElseThrow(() -> new SafetyBlocked(generated.stream()
			.flatMap(sample -> sample.raiFilteredReason().stream())
			.findFirst()
			// Vertex leaves a filtered image out silently unless asked for the reason
			.orElse("RAI_FILTERED")));
	}
}
