package dev.kiln.testing.oidc;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a token says and how it is signed. Null {@code issuer}, {@code issuedAt} and {@code expiresAt}
 * mean the emulator's defaults: its own issuer, now (or five minutes before an {@code expiresAt} already
 * past), and five minutes after {@code issuedAt}. Null {@code email}, {@code emailVerified}, {@code name},
 * {@code subject} and {@code type} leave that claim or header out. Extra claims are written last, so they can replace any standard claim, e.g.
 * {@code withClaim("aud", List.of("kiln"))} for a one-element array.
 */
public record Claims(String subject, List<String> audience, String issuer, Instant issuedAt, Instant expiresAt,
		String email, Boolean emailVerified, String name, Map<String, Object> extra, SigningAlgorithm algorithm,
		String type) {

	public Claims {
		audience = List.copyOf(audience);
		extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
		Objects.requireNonNull(algorithm, "algorithm");
	}

	/** RS256, {@code typ: JWT}, no audience: add one with {@link #withAudience}. */
	public static Claims forSubject(String subject) {
		return new Claims(subject, List.of(), null, null, null, null, null, null, Map.of(), SigningAlgorithm.RS256,
				"JWT");
	}

	/** One audience is written as a string (as Google does), several as an array (as Zitadel does). */
	public Claims withAudience(String... audience) {
		return new Claims(subject, List.of(audience), issuer, issuedAt, expiresAt, email, emailVerified, name, extra,
				algorithm, type);
	}

	public Claims withIssuer(String issuer) {
		return new Claims(subject, audience, issuer, issuedAt, expiresAt, email, emailVerified, name, extra, algorithm,
				type);
	}

	public Claims withIssuedAt(Instant issuedAt) {
		return new Claims(subject, audience, issuer, issuedAt, expiresAt, email, emailVerified, name, extra, algorithm,
				type);
	}

	/** May be in the past, for expired tokens. */
	public Claims withExpiresAt(Instant expiresAt) {
		return new Claims(subject, audience, issuer, issuedAt, expiresAt, email, emailVerified, name, extra, algorithm,
				type);
	}

	public Claims withEmail(String email, boolean emailVerified) {
		return new Claims(subject, audience, issuer, issuedAt, expiresAt, email, emailVerified, name, extra, algorithm,
				type);
	}

	public Claims withName(String name) {
		return new Claims(subject, audience, issuer, issuedAt, expiresAt, email, emailVerified, name, extra, algorithm,
				type);
	}

	/**
	 * Adds or replaces a claim; the value must be JSON-shaped (string, number, boolean, list, map) or an
	 * {@link Instant}, written as epoch seconds. Null removes the claim, standard ones included.
	 */
	public Claims withClaim(String claim, Object value) {
		Map<String, Object> more = new LinkedHashMap<>(extra);
		more.put(claim, value);
		return new Claims(subject, audience, issuer, issuedAt, expiresAt, email, emailVerified, name, more, algorithm,
				type);
	}

	public Claims withAlgorithm(SigningAlgorithm algorithm) {
		return new Claims(subject, audience, issuer, issuedAt, expiresAt, email, emailVerified, name, extra, algorithm,
				type);
	}

	/** The {@code typ} header, e.g. {@code at+jwt}; null leaves it out. */
	public Claims withType(String type) {
		return new Claims(subject, audience, issuer, issuedAt, expiresAt, email, emailVerified, name, extra, algorithm,
				type);
	}
}
