package dev.kiln.accounts;

import java.security.DrbgParameters;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Random secrets and their digests. One DRBG, seeded when the class loads (at start-up, by
 * {@link SigningKeys}): the platform's default SecureRandom reads /dev/urandom on each call, which is
 * blocking I/O on an event loop. A DRBG instantiates lazily, so the class initialiser draws once.
 */
final class Secrets {

	private static final SecureRandom RANDOM = drbg();

	static {
		RANDOM.nextBytes(new byte[1]);
	}

	private Secrets() {
	}

	/** The shared DRBG, for libraries that take a SecureRandom (ECDSA signing needs fresh nonces). */
	static SecureRandom random() {
		return RANDOM;
	}

	static byte[] randomBytes(int count) {
		byte[] bytes = new byte[count];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

	/** A random (version 4) UUID from the DRBG. */
	static java.util.UUID uuid() {
		java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(randomBytes(16));
		return new java.util.UUID((bytes.getLong() & ~0xF000L) | 0x4000L,
				(bytes.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
	}

	static String randomToken(int bytes) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
	}

	static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static SecureRandom drbg() {
		try {
			return SecureRandom.getInstance("DRBG",
					DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("no DRBG SecureRandom", ex);
		}
	}
}
