package dev.kiln.testing;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * Random keys for tests and local runs, so that nothing resembling a real secret is committed. The
 * personal-data keys are made once per JVM: every application context of a test run shares them.
 */
public final class TestKeys {

	private static final SecureRandom random = new SecureRandom();

	private static final Map<String, Object> PERSONAL_DATA = Map.of(
			"kiln.accounts.personal-data.encryption-keys.test", randomKey(32),
			"kiln.accounts.personal-data.active-key-id", "test",
			"kiln.accounts.personal-data.blind-index-key", randomKey(32));

	private TestKeys() {
	}

	/** The {@code kiln.accounts.personal-data.*} properties of this JVM. */
	public static Map<String, Object> personalDataProperties() {
		return PERSONAL_DATA;
	}

	/** Base64 of {@code bytes} fresh random bytes. */
	public static String randomKey(int bytes) {
		byte[] key = new byte[bytes];
		random.nextBytes(key);
		return Base64.getEncoder().encodeToString(key);
	}
}
