package dev.kiln.accounts;

import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kiln.platform.security.Role;

import org.springframework.stereotype.Component;

/**
 * Issues Kiln's short-lived access tokens: ES256 JWTs typed {@code at+jwt} (RFC 9068) so they cannot be
 * confused with other JWTs (RFC 8725 §3.11), with {@code iss}, {@code aud}, {@code sub} (the user),
 * {@code sid} (the refresh-token family, revoked at logout), {@code role}, {@code jti}, {@code iat},
 * {@code exp}.
 */
@Component
class AccessTokens {

	static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");

	/** How far past {@code exp} a token is still accepted, for clocks that disagree a little. */
	static final java.time.Duration CLOCK_SKEW = java.time.Duration.ofSeconds(30);

	private final SigningKeys keys;

	private final AuthSettings settings;

	private final Clock clock;

	AccessTokens(SigningKeys keys, AuthSettings settings, Clock clock) {
		this.keys = keys;
		this.settings = settings;
		this.clock = clock;
	}

	IssuedAccessToken issue(UUID user, Role role, UUID session) {
		Instant now = clock.instant();
		Instant expires = now.plus(settings.accessTokenTtl());
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(settings.issuer())
			.audience(settings.audience())
			.subject(user.toString())
			.claim("sid", session.toString())
			.claim("role", role.code())
			.jwtID(Secrets.randomToken(16))
			.issueTime(Date.from(now))
			.expirationTime(Date.from(expires))
			.build();
		SignedJWT jwt = new SignedJWT(
				new JWSHeader.Builder(JWSAlgorithm.ES256).type(TYPE).keyID(keys.activeKeyId()).build(), claims);
		try {
			jwt.sign(keys.signer());
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("cannot sign an access token", ex);
		}
		return new IssuedAccessToken(jwt.serialize(), expires);
	}

	record IssuedAccessToken(String value, Instant expiresAt) {

		@Override
		public String toString() {
			return "IssuedAccessToken[expiresAt=" + expiresAt + "]";
		}
	}
}
