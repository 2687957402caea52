package dev.kiln.accounts.crypto;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;

import dev.kiln.testing.TestKeys;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PersonalDataSettingsTests {

	private final String k1 = TestKeys.randomKey(32);

	private final String k2 = TestKeys.randomKey(32);

	private final String blind = TestKeys.randomKey(32);

	@Test
	void acceptsValidKeysAndStripsTheNewlineOfAMountedSecret() {
		PersonalDataSettings settings = new PersonalDataSettings(Map.of("k1", k1, "2026-b", k2 + "\n"), "2026-b",
				blind);

		assertThat(settings.secretKeys()).containsOnlyKeys("k1", "2026-b");
		assertThat(settings.secretKeys().get("2026-b").getEncoded()).isEqualTo(Base64.getDecoder().decode(k2));
	}

	@Test
	void rejectsAKeyThatIsNotBase64WithoutQuotingIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> new PersonalDataSettings(Map.of("k1", "not*base64"), "k1", blind))
			.withMessageContaining("kiln.accounts.personal-data.encryption-keys.k1")
			.withMessageContaining("base64")
			.withMessageNotContaining("not*base64");
	}

	@Test
	void rejectsAKeyOf16Bytes() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PersonalDataSettings(Map.of("k1", TestKeys.randomKey(16)), "k1", blind))
			.withMessageContaining("kiln.accounts.personal-data.encryption-keys.k1 must decode to exactly 32 bytes, not 16");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PersonalDataSettings(Map.of("k1", TestKeys.randomKey(64)), "k1", blind))
			.withMessageContaining("encryption-keys.k1 must decode to exactly 32 bytes, not 64");
	}

	@Test
	void rejectsAnActiveIdThatNamesNoKey() {
		assertThatIllegalArgumentException().isThrownBy(() -> new PersonalDataSettings(Map.of("k1", k1), "k2", blind))
			.withMessageContaining("kiln.accounts.personal-data.active-key-id 'k2' names no key")
			.withMessageContaining("[k1]");
		assertThatIllegalArgumentException().isThrownBy(() -> new PersonalDataSettings(Map.of("k1", k1), null, blind))
			.withMessageContaining("kiln.accounts.personal-data.active-key-id is missing");
	}

	@Test
	void rejectsMissingKeysAndMalformedKeyIds() {
		assertThatIllegalArgumentException().isThrownBy(() -> new PersonalDataSettings(null, null, null))
			.withMessageContaining("kiln.accounts.personal-data.encryption-keys is missing");
		assertThatIllegalArgumentException().isThrownBy(() -> new PersonalDataSettings(Map.of(), "k1", blind))
			.withMessageContaining("kiln.accounts.personal-data.encryption-keys is missing");
		for (String id : new String[] { "K1", "k_1", "k.1", "", "k234567890123456x" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> new PersonalDataSettings(Map.of(id, k1), id, blind))
				.withMessageContaining("kiln.accounts.personal-data.encryption-keys." + id + ": a key id must be");
		}
		assertThat(new PersonalDataSettings(Map.of("k234567890123456", k1), "k234567890123456", blind)).isNotNull();
	}

	@Test
	void rejectsAShortMissingOrReusedBlindIndexKey() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PersonalDataSettings(Map.of("k1", k1), "k1", TestKeys.randomKey(16)))
			.withMessageContaining("kiln.accounts.personal-data.blind-index-key must decode to at least 32 bytes, not 16");
		assertThatIllegalArgumentException().isThrownBy(() -> new PersonalDataSettings(Map.of("k1", k1), "k1", " "))
			.withMessageContaining("kiln.accounts.personal-data.blind-index-key is missing");
		assertThatIllegalArgumentException().isThrownBy(() -> new PersonalDataSettings(Map.of("k1", k1), "k1", k1))
			.withMessageContaining("kiln.accounts.personal-data.blind-index-key must differ from");
		assertThat(new PersonalDataSettings(Map.of("k1", k1), "k1", TestKeys.randomKey(64)).blindIndexSecretKey()
			.getEncoded()).hasSize(64);
	}

	@Test
	void toStringShowsKeyIdsButNoKeyMaterial() {
		String text = new PersonalDataSettings(Map.of("k1", k1, "k2", k2), "k2", blind).toString();

		assertThat(text).contains("k1", "k2", "redacted").doesNotContain(k1, k2, blind);
		for (String key : new String[] { k1, k2, blind }) {
			assertThat(text).doesNotContain(key.substring(0, 8));
		}
	}

	@Test
	void bindsFromTheEnvironmentVariablesProductionSetsOverApplicationYml() throws IOException {
		MutablePropertySources sources = new MutablePropertySources();
		sources.addLast(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
				Map.of("KILN_ACCOUNTS_PERSONALDATA_ENCRYPTIONKEYS_K1", k1,
						"KILN_ACCOUNTS_PERSONALDATA_ENCRYPTIONKEYS_K2", k2,
						"KILN_ACCOUNTS_PERSONALDATA_ACTIVEKEYID", "k2",
						"KILN_ACCOUNTS_PERSONALDATA_BLINDINDEXKEY", blind)));
		applicationYml().forEach(sources::addLast);

		PersonalDataSettings settings = new Binder(ConfigurationPropertySources.from(sources))
			.bindOrCreate("kiln.accounts.personal-data", PersonalDataSettings.class);

		assertThat(settings.encryptionKeys()).isEqualTo(Map.of("k1", k1, "k2", k2));
		assertThat(settings.activeKeyId()).isEqualTo("k2");
		assertThat(settings.blindIndexKey()).isEqualTo(blind);
	}

	@Test
	void keysSpelledWithUnderscoresForDashesDoNotBindAndStartUpSaysHowToSpellThem() throws IOException {
		MutablePropertySources sources = new MutablePropertySources();
		sources.addLast(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
				Map.of("KILN_ACCOUNTS_PERSONAL_DATA_ENCRYPTION_KEYS_K1", k1,
						"KILN_ACCOUNTS_PERSONAL_DATA_ACTIVE_KEY_ID", "k1",
						"KILN_ACCOUNTS_PERSONAL_DATA_BLIND_INDEX_KEY", blind)));
		applicationYml().forEach(sources::addLast);

		assertThatThrownBy(() -> new Binder(ConfigurationPropertySources.from(sources))
			.bindOrCreate("kiln.accounts.personal-data", PersonalDataSettings.class))
			.rootCause()
			.hasMessageContaining("kiln.accounts.personal-data.encryption-keys is missing")
			.hasMessageContaining("KILN_ACCOUNTS_PERSONALDATA_ENCRYPTIONKEYS_K1");
	}

	private static Iterable<org.springframework.core.env.PropertySource<?>> applicationYml() throws IOException {
		return new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"));
	}
}
