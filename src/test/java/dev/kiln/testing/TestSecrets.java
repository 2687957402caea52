package dev.kiln.testing;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * Token signing keys, the API key pepper and the callback secret for tests and local runs: made at random once per JVM, so
 * nothing that looks like a real secret is ever committed.
 */
public final class TestSecrets {

	private static final Map<String, Object> PROPERTIES = generate();

	private TestSecrets() {
	}

	public static Map<String, Object> authProperties() {
		return PROPERTIES;
	}

	private static Map<String, Object> generate() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("kiln.auth.signing-keys.test-1", ecKey("test-1").toJSONString());
		properties.put("kiln.auth.active-signing-key", "test-1");
		byte[] pepper = new byte[32];
		new SecureRandom().nextBytes(pepper);
		properties.put("kiln.auth.api-key-pepper", Base64.getEncoder().encodeToString(pepper));
		byte[] callbackSecret = new byte[32];
		new SecureRandom().nextBytes(callbackSecret);
		properties.put("kiln.generations.callback-secret", Base64.getEncoder().encodeToString(callbackSecret));
		return properties;
	}

	public static ECKey ecKey(String id) {
		try {
			return new ECKeyGenerator(Curve.P_256).keyID(id).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
