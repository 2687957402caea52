package dev.kiln.testing.vertex;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

/** A small valid PNG (or JPEG) whose colours follow from a seed: the same prompt draws the same bytes. */
final class Png {

	static final int SIZE = 16;

	private Png() {
	}

	static byte[] of(String seed) {
		return of(seed, "image/png");
	}

	/** The picture as {@code image/png} or {@code image/jpeg}. */
	static byte[] of(String seed, String mimeType) {
		int rgb = seed.hashCode() & 0xFFFFFF;
		BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < SIZE; y++) {
			for (int x = 0; x < SIZE; x++) {
				image.setRGB(x, y, (x + y) % 2 == 0 ? rgb : ~rgb & 0xFFFFFF);
			}
		}
		ByteArrayOutputStream png = new ByteArrayOutputStream();
		try {
			ImageIO.write(image, mimeType.equals("image/jpeg") ? "jpg" : "png", png);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return png.toByteArray();
	}
}
