package dev.kiln.platform;

import java.nio.ByteBuffer;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Random (version 4) UUIDs for new rows, safe to make on an event loop: {@link UUID#randomUUID()} reads
 * the platform SecureRandom, which may do blocking file I/O, while this DRBG is seeded once, when the
 * class loads at start-up ({@code PlatformConfiguration}).
 */
public final class Ids {

	private static final SecureRandom RANDOM = drbg();

	private Ids() {
	}

	public static UUID uuid() {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		return new UUID((buffer.getLong() & ~0xF000L) | 0x4000L, (buffer.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
	}

	private static SecureRandom drbg() {
		try {
			SecureRandom random = SecureRandom.getInstance("DRBG",
					DrbgParameters.instantiation(128, DrbgParameters.Capability.RESEED_ONLY, null));
			random.nextBytes(new byte[1]); // a DRBG instantiates (reads its seed) on first use
			return random;
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("no DRBG SecureRandom", ex);
		}
	}
}
