package dev.kiln.accounts.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PersonalDataCipherTests {

	private static final String EMAIL = "ada.lovelace@example.com";

	private final String k1 = TestKeys.randomKey(32);

	private final String k2 = TestKeys.randomKey(32);

	private final String blind = TestKeys.randomKey(32);

	private final PersonalDataCipher cipher = cipher(Map.of("k1", k1), "k1", blind);

	private final UUID owner = TestIds.uuid();

	@ParameterizedTest
	@ValueSource(strings = { EMAIL, "Zoë Ōkubo-Müller 李小龍 🔥", "" })
	void roundTrips(String plaintext) {
		byte[] sealed = cipher.encrypt(plaintext, owner);

		assertThat(cipher.decrypt(sealed, owner)).isEqualTo(plaintext);
		assertThat(sealed).hasSize(2 + 2 + 12 + plaintext.getBytes(StandardCharsets.UTF_8).length + 16);
	}

	@Test
	void theSealedValueStartsWithTheVersionAndTheKeyId() {
		byte[] sealed = cipher.encrypt(EMAIL, owner);

		assertThat(Arrays.copyOf(sealed, 4)).containsExactly(1, 2, 'k', '1');
		assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("ada", "example");
	}

	@Test
	void sealingTheSameTextTwiceGivesDifferentValues() {
		byte[] first = cipher.encrypt(EMAIL, owner);
		byte[] second = cipher.encrypt(EMAIL, owner);

		assertThat(first).isNotEqualTo(second);
		assertThat(Arrays.copyOfRange(first, 4, 16)).isNotEqualTo(Arrays.copyOfRange(second, 4, 16));
		assertThat(cipher.decrypt(first, owner)).isEqualTo(cipher.decrypt(second, owner)).isEqualTo(EMAIL);
	}

	@Test
	void changingAnySingleByteMakesTheValueUnreadable() {
		byte[] sealed = cipher.encrypt(EMAIL, owner);

		for (int i = 0; i < sealed.length; i++) {
			for (int mask : new int[] { 0x01, 0x80, 0xff }) {
				byte[] tampered = sealed.clone();
				tampered[i] ^= (byte) mask;
				assertThatThrownBy(() -> cipher.decrypt(tampered, owner)).as("byte %d ^ %x", i, mask)
					.isInstanceOf(UnreadablePersonalData.class)
					.message()
					.doesNotContain(EMAIL, k1, blind);
			}
		}
	}

	@Test
	void anotherOwnerCannotReadTheValue() {
		byte[] sealed = cipher.encrypt(EMAIL, owner);

		assertThatThrownBy(() -> cipher.decrypt(sealed, TestIds.uuid())).isInstanceOf(UnreadablePersonalData.class)
			.hasMessageContaining("another owner")
			.message()
			.doesNotContain(EMAIL, k1);
	}

	@Test
	void aTruncatedValueIsUnreadable() {
		byte[] sealed = cipher.encrypt(EMAIL, owner);

		for (int length = 0; length < sealed.length; length++) {
			byte[] truncated = Arrays.copyOf(sealed, length);
			assertThatThrownBy(() -> cipher.decrypt(truncated, owner)).as("first %d bytes", length)
				.isInstanceOf(UnreadablePersonalData.class);
		}
		assertThatThrownBy(() -> cipher.decrypt(new byte[0], owner)).hasMessageContaining("truncated");
	}

	@Test
	void afterRotationOldValuesStillReadAndNewValuesUseTheNewKey() {
		byte[] old = cipher.encrypt(EMAIL, owner);
		PersonalDataCipher rotated = cipher(Map.of("k1", k1, "k2", k2), "k2", blind);

		byte[] fresh = rotated.encrypt(EMAIL, owner);

		assertThat(rotated.decrypt(old, owner)).isEqualTo(EMAIL);
		assertThat(Arrays.copyOf(fresh, 4)).containsExactly(1, 2, 'k', '2');
		assertThat(rotated.decrypt(fresh, owner)).isEqualTo(EMAIL);
		assertThat(cipher.isSealedWithActiveKey(old)).isTrue();
		assertThat(rotated.isSealedWithActiveKey(old)).isFalse();
		assertThat(rotated.isSealedWithActiveKey(fresh)).isTrue();
		assertThat(rotated.isSealedWithActiveKey(rotated.encrypt(rotated.decrypt(old, owner), owner))).isTrue();
		assertThatThrownBy(() -> cipher.decrypt(fresh, owner)).isInstanceOf(UnreadablePersonalData.class)
			.hasMessageContaining("key id 'k2', which is not configured");
	}

	@Test
	void aValueSealedWithARetiredKeyFailsNamingTheKeyId() {
		byte[] old = cipher.encrypt(EMAIL, owner);
		PersonalDataCipher retired = cipher(Map.of("k2", k2), "k2", blind);

		assertThatThrownBy(() -> retired.decrypt(old, owner)).isInstanceOf(UnreadablePersonalData.class)
			.hasMessage("personal data cannot be read: sealed with key id 'k1', which is not configured (configured: [k2])");
	}

	@Test
	void onlyWellFormedValuesOfTheActiveKeyCountAsSealedWithIt() {
		assertThat(cipher.isSealedWithActiveKey(new byte[0])).isFalse();
		assertThat(cipher.isSealedWithActiveKey(new byte[] { 1, 2, 'k', '1' })).isFalse();
		assertThat(cipher.isSealedWithActiveKey(EMAIL.getBytes(StandardCharsets.UTF_8))).isFalse();
		byte[] otherVersion = cipher.encrypt(EMAIL, owner);
		otherVersion[0] = 2;
		assertThat(cipher.isSealedWithActiveKey(otherVersion)).isFalse();
		assertThatThrownBy(() -> cipher.decrypt(otherVersion, owner)).hasMessageContaining("unknown format version 2");
	}

	@Test
	void blindIndexesAreDeterministic32ByteValuesOfTheBlindIndexKeyOnly() {
		byte[] index = cipher.blindIndex(EMAIL);

		assertThat(index).hasSize(32).isEqualTo(cipher.blindIndex(EMAIL));
		assertThat(cipher.blindIndex("grace.hopper@example.com")).isNotEqualTo(index);
		assertThat(cipher.blindIndex("")).hasSize(32).isNotEqualTo(index);
		assertThat(cipher(Map.of("k1", k1), "k1", TestKeys.randomKey(32)).blindIndex(EMAIL)).isNotEqualTo(index);
		assertThat(cipher(Map.of("k2", k2), "k2", blind).blindIndex(EMAIL))
			.as("rotating the encryption key keeps the indexes")
			.isEqualTo(index);
	}

	@Test
	void blindIndexIsHmacSha256OfTheUtf8Bytes() {
		// RFC 4231, test case 6: a 131-byte key of 0xaa
		byte[] key = new byte[131];
		Arrays.fill(key, (byte) 0xaa);
		PersonalDataCipher rfc = cipher(Map.of("k1", k1), "k1", java.util.Base64.getEncoder().encodeToString(key));

		assertThat(HexFormat.of().formatHex(rfc.blindIndex("Test Using Larger Than Block-Size Key - Hash Key First")))
			.isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	}

	static PersonalDataCipher cipher(Map<String, String> keys, String active, String blindIndexKey) {
		return new PersonalDataCipher(new PersonalDataSettings(keys, active, blindIndexKey));
	}
}
