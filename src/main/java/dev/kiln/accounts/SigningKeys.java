package dev.kiln.accounts;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

import org.springframework.stereotype.Component;

/**
 * Kiln's ES256 token keys, checked at start-up: every configured key verifies, the active one signs.
 * Rotation: add the new key, deploy, make it active, and drop the old one once the longest access
 * token signed with it has expired.
 */
@Component
class SigningKeys {

	private final ECKey active;

	private final JWKSet publicKeys;

	private final ECDSASigner signer;

	SigningKeys(AuthSettings settings) {
		List<JWK> keys = new ArrayList<>();
		ECKey chosen = null;
		for (Map.Entry<String, String> entry : settings.signingKeys().entrySet()) {
			ECKey key = parse(entry.getKey(), entry.getValue());
			keys.add(key.toPublicJWK());
			if (entry.getKey().equals(settings.activeSigningKey())) {
				chosen = key;
			}
		}
		if (chosen == null) {
			throw new IllegalStateException("kiln.auth.active-signing-key '" + settings.activeSigningKey()
					+ "' is not one of kiln.auth.signing-keys " + settings.signingKeys().keySet());
		}
		this.active = chosen;
		this.publicKeys = new JWKSet(keys);
		try {
			this.signer = new ECDSASigner(chosen);
			// ECDSA needs a fresh random nonce per signature; the default source reads /dev/urandom.
			this.signer.getJCAContext().setSecureRandom(Secrets.random());
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("kiln.auth.signing-keys." + chosen.getKeyID() + " cannot sign", ex);
		}
	}

	private static ECKey parse(String id, String json) {
		try {
			ECKey key = ECKey.parse(json);
			if (!Curve.P_256.equals(key.getCurve()) || !key.isPrivate()) {
				throw new IllegalStateException("kiln.auth.signing-keys." + id + " must be a private P-256 EC JWK");
			}
			return new ECKey.Builder(key).keyID(id).build();
		}
		catch (ParseException ex) {
			throw new IllegalStateException("kiln.auth.signing-keys." + id + " is not a JWK", ex);
		}
	}

	String activeKeyId() {
		return active.getKeyID();
	}

	ECDSASigner signer() {
		return signer;
	}

	/** The public keys, served at {@code /.well-known/jwks.json} and used to verify Kiln's tokens. */
	JWKSet publicKeys() {
		return publicKeys;
	}
}
