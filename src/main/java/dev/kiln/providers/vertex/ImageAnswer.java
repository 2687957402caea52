package dev.kiln.providers.vertex;

/**
 * A generated image.
 *
 * @param bytes the image, as {@code mimeType} says (PNG from Gemini's image models, and from Imagen, which
 * Kiln asks for PNG)
 * @param usage for Imagen, one image and no tokens
 * @param providerCost in micros of {@code kiln.vertex.currency}
 */
public record ImageAnswer(byte[] bytes, String mimeType, Route servedBy, Usage usage, long credits,
		long providerCost) {

	@Override
	public String toString() {
		return "ImageAnswer[" + bytes.length + " bytes of " + mimeType + ", servedBy=" + servedBy + ", usage="
				+ usage + ", credits=" + credits + ", providerCost=" + providerCost + "]";
	}
}
