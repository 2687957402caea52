package dev.kiln.testing.vertex;

/**
 * The emulator's tokenizer: one token per whitespace-separated word, fixed counts per image (Gemini
 * bills a small input image as 258 tokens and each image it generates as 1290). Real tokenizers give
 * other numbers; these let a test compute the usage, and so the cost, it should see.
 */
final class Tokens {

	static final int IMAGE_INPUT = 258;

	static final int IMAGE_OUTPUT = 1290;

	private Tokens() {
	}

	static int of(String text) {
		String trimmed = text.strip();
		return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
	}
}
