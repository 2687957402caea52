package dev.kiln.testing.stripe;

import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** Identifiers and secrets shaped like Stripe's: a type prefix, an underscore, base62 characters. */
final class Ids {

	private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	// Secrets come from SecureRandom, ids from ThreadLocalRandom: the first may read /dev/urandom, which
	// BlockHound forbids on a non-blocking thread, and ids are made on whatever thread a test pays from.
	private static final SecureRandom SECURE = new SecureRandom();

	private Ids() {
	}

	/** {@code prefix_} and 24 characters, the length of most Stripe ids ({@code evt_}, {@code ch_}, {@code sub_}). */
	static String next(String prefix) {
		return next(prefix, 24);
	}

	static String next(String prefix, int length) {
		return prefix + "_" + random(length, ThreadLocalRandom.current());
	}

	/** Checkout Session ids are long and start with {@code cs_test_a1} in test mode. */
	static String checkoutSession() {
		return "cs_test_a1" + random(56, ThreadLocalRandom.current());
	}

	static String apiKey() {
		return "sk_test_emulator_" + random(32, SECURE);
	}

	static String webhookSecret() {
		return "whsec_" + random(32, SECURE);
	}

	static String random(int length) {
		return random(length, ThreadLocalRandom.current());
	}

	private static String random(int length, RandomGenerator random) {
		StringBuilder id = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			id.append(BASE62.charAt(random.nextInt(BASE62.length())));
		}
		return id.toString();
	}
}
