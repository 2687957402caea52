package dev.kiln.testing.runpod;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** Identifiers and keys shaped like RunPod's. */
final class Ids {

	private static final String LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";

	private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	// The key comes from SecureRandom, made once on the thread that starts the emulator; ids come from
	// ThreadLocalRandom and UUID on the emulator's own threads.
	private static final SecureRandom SECURE = new SecureRandom();

	private Ids() {
	}

	/** {@code rpa_} and 44 capitals and digits, like the API keys RunPod's console shows. */
	static String apiKey() {
		return "rpa_" + random(44, UPPER, SECURE);
	}

	/** A UUID and the {@code -u1} suffix RunPod's job ids carry. */
	static String jobId() {
		return UUID.randomUUID() + "-u1";
	}

	/** 14 lowercase letters and digits, like a RunPod worker (pod) id. */
	static String workerId() {
		return random(14, LOWER, ThreadLocalRandom.current());
	}

	/** An endpoint id: 14 lowercase letters and digits. */
	static String endpointId() {
		return random(14, LOWER, ThreadLocalRandom.current());
	}

	private static String random(int length, String alphabet, RandomGenerator random) {
		StringBuilder id = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			id.append(alphabet.charAt(random.nextInt(alphabet.length())));
		}
		return id.toString();
	}
}
