package dev.kiln.accounts.crypto;

import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Keys for personal data at rest. They come from the environment, never from files in the repository:
 * {@code KILN_ACCOUNTS_PERSONALDATA_ENCRYPTIONKEYS_K1}, {@code KILN_ACCOUNTS_PERSONALDATA_ACTIVEKEYID},
 * {@code KILN_ACCOUNTS_PERSONALDATA_BLINDINDEXKEY}. Spring Boot binds map entries only from that form
 * (dashes removed): {@code KILN_ACCOUNTS_PERSONAL_DATA_ENCRYPTION_KEYS_K1} is silently ignored. The
 * checks span properties and decode the keys, so they live in the constructor rather than in
 * constraint annotations; a failure names the property, never its value.
 *
 * @param encryptionKeys key id ({@code [a-z0-9-]}, 1 to 16 characters) to the base64 of 32 random bytes
 * (AES-256); a retired key stays here until no stored value is sealed with it
 * @param activeKeyId the key that seals new values
 * @param blindIndexKey base64 of at least 32 random bytes, the HMAC-SHA256 key of the lookup indexes
 */
@ConfigurationProperties("kiln.accounts.personal-data")
@Validated
public record PersonalDataSettings(Map<String, String> encryptionKeys, String activeKeyId, String blindIndexKey) {

	static final String PREFIX = "kiln.accounts.personal-data.";

	static final int KEY_BYTES = 32;

	private static final Pattern KEY_ID = Pattern.compile("[a-z0-9-]{1,16}");

	public PersonalDataSettings {
		if (encryptionKeys == null || encryptionKeys.isEmpty()) {
			throw new IllegalArgumentException(PREFIX + "encryption-keys is missing: set at least one key, e.g. "
					+ "KILN_ACCOUNTS_PERSONALDATA_ENCRYPTIONKEYS_K1 to the base64 of 32 random bytes (written so, "
					+ "without underscores in PERSONALDATA and ENCRYPTIONKEYS; other spellings do not bind)");
		}
		encryptionKeys.forEach((id, key) -> {
			if (id == null || !KEY_ID.matcher(id).matches()) {
				throw new IllegalArgumentException(PREFIX + "encryption-keys." + id
						+ ": a key id must be 1 to 16 characters of a-z, 0-9 and '-'");
			}
			decode(PREFIX + "encryption-keys." + id, key, KEY_BYTES, true);
		});
		encryptionKeys = Collections.unmodifiableMap(new TreeMap<>(encryptionKeys));
		if (activeKeyId == null || activeKeyId.isBlank()) {
			throw new IllegalArgumentException(PREFIX + "active-key-id is missing: set "
					+ "KILN_ACCOUNTS_PERSONALDATA_ACTIVEKEYID to one of " + encryptionKeys.keySet());
		}
		if (!encryptionKeys.containsKey(activeKeyId)) {
			throw new IllegalArgumentException(PREFIX + "active-key-id '" + activeKeyId + "' names no key in "
					+ PREFIX + "encryption-keys " + encryptionKeys.keySet());
		}
		byte[] blind = decode(PREFIX + "blind-index-key", blindIndexKey, KEY_BYTES, false);
		encryptionKeys.forEach((id, key) -> {
			if (Arrays.equals(blind, Base64.getDecoder().decode(key.strip()))) {
				throw new IllegalArgumentException(PREFIX + "blind-index-key must differ from "
						+ PREFIX + "encryption-keys." + id + ": one key is never used for two purposes");
			}
		});
	}

	/** AES keys by id. */
	Map<String, SecretKey> secretKeys() {
		Map<String, SecretKey> keys = new LinkedHashMap<>();
		encryptionKeys.forEach((id, key) -> keys.put(id, new SecretKeySpec(Base64.getDecoder().decode(key.strip()), "AES")));
		return Collections.unmodifiableMap(keys);
	}

	SecretKey blindIndexSecretKey() {
		return new SecretKeySpec(Base64.getDecoder().decode(blindIndexKey.strip()), "HmacSHA256");
	}

	@Override
	public String toString() {
		return "PersonalDataSettings[encryptionKeys=" + encryptionKeys.keySet() + " (values redacted), activeKeyId="
				+ activeKeyId + ", blindIndexKey=<redacted>]";
	}

	// Surrounding whitespace is stripped: secrets mounted from files often end with a newline.
	private static byte[] decode(String property, String value, int bytes, boolean exactly) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(property + " is missing: set it to the base64 of "
					+ (exactly ? "" : "at least ") + bytes + " random bytes");
		}
		byte[] key;
		try {
			key = Base64.getDecoder().decode(value.strip());
		}
		catch (IllegalArgumentException ex) {
			// the decoder's message quotes the offending character, so it is not passed on
			throw new IllegalArgumentException(property + " is not standard base64 (openssl rand -base64 " + bytes + ")");
		}
		if (exactly ? key.length != bytes : key.length < bytes) {
			throw new IllegalArgumentException(property + " must decode to " + (exactly ? "exactly " : "at least ")
					+ bytes + " bytes, not " + key.length);
		}
		return key;
	}
}
