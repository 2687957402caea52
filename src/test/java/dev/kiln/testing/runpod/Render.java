package dev.kiln.testing.runpod;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The simulated worker's "render": a few KB that start like an MP4 file (an {@code ftyp} box for brand
 * {@code isom}, then an {@code mdat} box), whatever the output's content type. The {@code mdat} payload
 * is SHA-256 in counter mode over the job id and output name, so the same job always gives the same
 * bytes and tests can compare what storage received with {@link #of}.
 */
final class Render {

	private static final byte[] FTYP = ftyp();

	private Render() {
	}

	static byte[] of(String jobId, String outputName) {
		byte[] seed = (jobId + "/" + outputName).getBytes(StandardCharsets.UTF_8);
		byte[] first = sha256(seed, 0);
		int payload = 3000 + (first[0] & 0xff) * 8;
		ByteArrayOutputStream file = new ByteArrayOutputStream(FTYP.length + 8 + payload);
		file.writeBytes(FTYP);
		file.writeBytes(ByteBuffer.allocate(8).putInt(8 + payload).put(ascii("mdat")).array());
		for (int block = 0; file.size() < FTYP.length + 8 + payload; block++) {
			byte[] bytes = block == 0 ? first : sha256(seed, block);
			file.write(bytes, 0, Math.min(bytes.length, FTYP.length + 8 + payload - file.size()));
		}
		return file.toByteArray();
	}

	// size, "ftyp", major brand, minor version, compatible brands: what ffmpeg writes for an H.264 MP4.
	private static byte[] ftyp() {
		return ByteBuffer.allocate(32)
			.putInt(32)
			.put(ascii("ftyp"))
			.put(ascii("isom"))
			.putInt(0x200)
			.put(ascii("isom"))
			.put(ascii("iso2"))
			.put(ascii("avc1"))
			.put(ascii("mp41"))
			.array();
	}

	private static byte[] sha256(byte[] seed, int counter) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update(seed);
			digest.update(ByteBuffer.allocate(4).putInt(counter).array());
			return digest.digest();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}
}
