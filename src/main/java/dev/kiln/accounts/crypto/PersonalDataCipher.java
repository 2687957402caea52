package dev.kiln.accounts.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import org.springframework.stereotype.Component;

/**
 * Seals personal data (names, email addresses) for storage, and makes blind indexes to find it by exact
 * value without storing it in clear.
 *
 * <p>Sealed format, version 1 (n = key id length, m = UTF-8 plaintext length):
 * <pre>
 * offset   bytes    content
 * 0        1        version: 1
 * 1        1        n, 1 to 16
 * 2        n        key id, ASCII [a-z0-9-]
 * 2+n      12       nonce, random from the DRBG
 * 14+n     m+16     AES-256-GCM ciphertext, then the 128-bit tag
 * </pre>
 * The associated data is bytes 0 to 2+n (version, length, key id) followed by the owner's UUID as 16
 * bytes (most significant long first, big-endian): every byte is authenticated, and a value copied to
 * another owner's row does not decrypt. Random 96-bit nonces are safe for 2^32 values per key (NIST SP
 * 800-38D); rotate long before that.
 *
 * <p>Never blocks once built. The DRBG is made and seeded here (seeding reads the OS entropy source);
 * after that it reads nothing until it reseeds itself after 2^31 requests. {@code Cipher} and {@code Mac}
 * are not thread-safe and are made per call: a cipher must be initialised for every nonce anyway, so
 * caching one per thread would save only a provider lookup, and would leave key-bearing objects on
 * pooled event-loop threads.
 */
@Component
public class PersonalDataCipher {

	private static final byte VERSION = 1;

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BYTES = 16;

	private static final String AES_GCM = "AES/GCM/NoPadding";

	private static final String HMAC = "HmacSHA256";

	private static final Pattern KEY_ID = Pattern.compile("[a-z0-9-]{1,16}");

	private final Map<String, SecretKey> keys;

	private final SecretKey activeKey;

	private final byte[] activeHeader;

	private final SecretKey blindIndexKey;

	private final SecureRandom random;

	public PersonalDataCipher(PersonalDataSettings settings) {
		this.keys = settings.secretKeys();
		this.activeKey = keys.get(settings.activeKeyId());
		this.activeHeader = header(settings.activeKeyId());
		this.blindIndexKey = settings.blindIndexSecretKey();
		this.random = drbg();
		warmUp();
	}

	/** Seals {@code plaintext} (may be empty) with the active key, bound to {@code owner}. */
	public byte[] encrypt(String plaintext, UUID owner) {
		byte[] message = plaintext.getBytes(StandardCharsets.UTF_8);
		byte[] ownerBytes = bytes(owner);
		byte[] nonce = new byte[NONCE_BYTES];
		random.nextBytes(nonce);
		byte[] sealed = new byte[activeHeader.length + NONCE_BYTES + message.length + TAG_BYTES];
		System.arraycopy(activeHeader, 0, sealed, 0, activeHeader.length);
		System.arraycopy(nonce, 0, sealed, activeHeader.length, NONCE_BYTES);
		try {
			Cipher cipher = Cipher.getInstance(AES_GCM);
			cipher.init(Cipher.ENCRYPT_MODE, activeKey, new GCMParameterSpec(TAG_BYTES * 8, nonce), random);
			cipher.updateAAD(activeHeader);
			cipher.updateAAD(ownerBytes);
			cipher.doFinal(message, 0, message.length, sealed, activeHeader.length + NONCE_BYTES);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-GCM is not usable in this JVM", ex);
		}
		return sealed;
	}

	/**
	 * Opens a value sealed by {@link #encrypt} with any configured key, current or retired.
	 * @throws UnreadablePersonalData when the key id is not configured, the owner is not the one it was
	 * sealed for, or the value is truncated or altered
	 */
	public String decrypt(byte[] sealed, UUID owner) {
		byte[] ownerBytes = bytes(owner);
		int headerLength = headerLength(sealed);
		String keyId = new String(sealed, 2, headerLength - 2, StandardCharsets.US_ASCII);
		SecretKey key = keys.get(keyId);
		if (key == null) {
			throw new UnreadablePersonalData("sealed with key id '" + keyId + "', which is not configured "
					+ "(configured: " + keys.keySet() + ")");
		}
		int offset = headerLength + NONCE_BYTES;
		try {
			Cipher cipher = Cipher.getInstance(AES_GCM);
			cipher.init(Cipher.DECRYPT_MODE, key,
					new GCMParameterSpec(TAG_BYTES * 8, sealed, headerLength, NONCE_BYTES), random);
			cipher.updateAAD(sealed, 0, headerLength);
			cipher.updateAAD(ownerBytes);
			return new String(cipher.doFinal(sealed, offset, sealed.length - offset), StandardCharsets.UTF_8);
		}
		catch (AEADBadTagException ex) {
			throw new UnreadablePersonalData("it does not authenticate with key '" + keyId
					+ "' for this owner: sealed for another owner, or altered");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-GCM is not usable in this JVM", ex);
		}
	}

	/**
	 * Whether {@code sealed} names the active key, so a re-encryption job can skip it. Reads the header
	 * only, without authenticating; false for anything else, including values that are not readable.
	 */
	public boolean isSealedWithActiveKey(byte[] sealed) {
		return sealed.length >= activeHeader.length + NONCE_BYTES + TAG_BYTES
				&& Arrays.equals(sealed, 0, activeHeader.length, activeHeader, 0, activeHeader.length);
	}

	/**
	 * HMAC-SHA256 of the UTF-8 bytes of {@code normalizedValue} under the blind-index key: 32 bytes, equal
	 * for equal input. Normalise the same way when storing and when looking up (an email: stripped and
	 * lower-cased with {@code Locale.ROOT}). Independent of the encryption keys and their rotation.
	 */
	public byte[] blindIndex(String normalizedValue) {
		try {
			Mac mac = Mac.getInstance(HMAC);
			mac.init(blindIndexKey);
			return mac.doFinal(normalizedValue.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC-SHA256 is not usable in this JVM", ex);
		}
	}

	/** Length of the version, length and key id bytes, once they are known to be well-formed. */
	private static int headerLength(byte[] sealed) {
		if (sealed.length < 2) {
			throw new UnreadablePersonalData("truncated: " + sealed.length + " bytes");
		}
		if (sealed[0] != VERSION) {
			throw new UnreadablePersonalData("unknown format version " + Byte.toUnsignedInt(sealed[0]));
		}
		int idLength = Byte.toUnsignedInt(sealed[1]);
		if (idLength < 1 || idLength > 16) {
			throw new UnreadablePersonalData("key id length " + idLength + " is not 1 to 16");
		}
		int headerLength = 2 + idLength;
		if (sealed.length < headerLength + NONCE_BYTES + TAG_BYTES) {
			throw new UnreadablePersonalData("truncated: " + sealed.length + " bytes");
		}
		if (!KEY_ID.matcher(new String(sealed, 2, idLength, StandardCharsets.US_ASCII)).matches()) {
			throw new UnreadablePersonalData("the key id is not [a-z0-9-]");
		}
		return headerLength;
	}

	private static byte[] header(String keyId) {
		byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
		byte[] header = new byte[2 + id.length];
		header[0] = VERSION;
		header[1] = (byte) id.length;
		System.arraycopy(id, 0, header, 2, id.length);
		return header;
	}

	private static byte[] bytes(UUID owner) {
		return ByteBuffer.allocate(16)
			.putLong(owner.getMostSignificantBits())
			.putLong(owner.getLeastSignificantBits())
			.array();
	}

	private static SecureRandom drbg() {
		try {
			return SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.NONE,
					"kiln personal data nonces".getBytes(StandardCharsets.US_ASCII)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("no 256-bit DRBG in this JVM", ex);
		}
	}

	/**
	 * The DRBG seeds itself on first use and the JCE looks up its providers on first use; both read
	 * files, so both happen here, on the start-up thread, and not on the event loop of the first request.
	 */
	private void warmUp() {
		UUID owner = new UUID(0, 0);
		if (!"warm-up".equals(decrypt(encrypt("warm-up", owner), owner))) {
			throw new IllegalStateException("AES-GCM round trip failed");
		}
		blindIndex("warm-up");
	}
}
