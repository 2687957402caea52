package dev.kiln.accounts;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * {@code kiln_sk_<key id>_<secret>_<checksum>}: a fixed, distinctive prefix and a CRC32 checksum
 * (base62, 6 characters) over the rest, so secret scanners can find leaked keys with few false
 * positives and a mistyped key is refused without a database look-up. The key id (16 base62 characters)
 * finds the row; only an HMAC of the secret (32 base62 characters) is stored.
 */
final class ApiKeyFormat {

	static final String PREFIX = "kiln_sk_";

	private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	private static final Pattern SHAPE = Pattern.compile("kiln_sk_([0-9A-Za-z]{16})_([0-9A-Za-z]{32})_([0-9A-Za-z]{6})");

	private ApiKeyFormat() {
	}

	static Parts generate() {
		String id = randomBase62(16);
		String secret = randomBase62(32);
		return new Parts(id, secret);
	}

	/** The parts of a well-formed key with a correct checksum, or empty. */
	static Optional<Parts> parse(String key) {
		Matcher matcher = SHAPE.matcher(key);
		if (!matcher.matches()) {
			return Optional.empty();
		}
		Parts parts = new Parts(matcher.group(1), matcher.group(2));
		return checksum(parts.id(), parts.secret()).equals(matcher.group(3)) ? Optional.of(parts) : Optional.empty();
	}

	static boolean looksLikeKey(String token) {
		return token.startsWith(PREFIX);
	}

	private static String checksum(String id, String secret) {
		CRC32 crc = new CRC32();
		crc.update((PREFIX + id + "_" + secret).getBytes(StandardCharsets.US_ASCII));
		long value = crc.getValue();
		char[] digits = new char[6];
		for (int i = 5; i >= 0; i--) {
			digits[i] = BASE62.charAt((int) (value % 62));
			value /= 62;
		}
		return new String(digits);
	}

	private static String randomBase62(int length) {
		byte[] random = Secrets.randomBytes(length * 2);
		StringBuilder text = new StringBuilder(length);
		for (int i = 0; text.length() < length; i++) {
			int value = random[i % random.length] & 0xFF;
			if (value < 248) { // 248 = 4 * 62: keeps the distribution uniform
				text.append(BASE62.charAt(value % 62));
			}
			if (i >= random.length - 1 && text.length() < length) {
				random = Secrets.randomBytes(length * 2);
				i = -1;
			}
		}
		return text.toString();
	}

	record Parts(String id, String secret) {

		String key() {
			return PREFIX + id + "_" + secret + "_" + checksum(id, secret);
		}

		@Override
		public String toString() {
			return "Parts[id=" + id + ", secret=<redacted>]";
		}
	}
}
