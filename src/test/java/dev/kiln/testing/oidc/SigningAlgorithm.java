package dev.kiln.testing.oidc;

import com.nimbusds.jose.JWSAlgorithm;

/** The algorithms the emulator signs with: RS256 (Google, Zitadel) and ES256. */
public enum SigningAlgorithm {

	RS256(JWSAlgorithm.RS256),

	ES256(JWSAlgorithm.ES256);

	private final JWSAlgorithm jws;

	SigningAlgorithm(JWSAlgorithm jws) {
		this.jws = jws;
	}

	public JWSAlgorithm jws() {
		return jws;
	}
}
