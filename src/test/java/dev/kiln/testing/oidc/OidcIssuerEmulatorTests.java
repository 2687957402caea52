package dev.kiln.testing.oidc;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import org.junit.jupiter.api.AfterEach;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

class OidcIssuerEmulatorTests {

	private static final String AUDIENCE = "kiln";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final OidcIssuerEmulator emulator = OidcIssuerEmulator.start();

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@AfterEach
	void close() {
		emulator.close();
		http.close();
	}

	@Test
	void discoveryDocumentNamesTheIssuerAndItsKeys() throws Exception {
		HttpResponse<String> response = get(emulator.issuer() + "/.well-known/openid-configuration");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(emulator.issuer()).matches("http://127\\.0\\.0\\.1:\\d+");
		Map<String, Object> discovery = jsonObject(response.body());
		assertThat(discovery).containsEntry("issuer", emulator.issuer())
			.containsEntry("jwks_uri", emulator.issuer() + "/jwks.json")
			.containsEntry("jwks_uri", emulator.jwksUri())
			.containsEntry("id_token_signing_alg_values_supported", List.of("RS256", "ES256"))
			.containsEntry("subject_types_supported", List.of("public"))
			.containsEntry("authorization_endpoint", emulator.issuer() + "/authorize")
			.containsEntry("token_endpoint", emulator.issuer() + "/token");
		assertThat(discovery.get("response_types_supported")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.contains("code");
	}

	@Test
	void jwkSetPublishesOnlyThePublicRsaKeyAndCountsFetches() throws Exception {
		assertThat(emulator.jwksFetches()).isZero();

		HttpResponse<String> response = get(emulator.jwksUri());

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		List<Map<String, Object>> keys = keys(response.body());
		assertThat(keys).singleElement()
			.satisfies(key -> assertThat(key).containsEntry("kty", "RSA")
				.containsEntry("kid", emulator.currentKeyId())
				.containsEntry("use", "sig")
				.containsEntry("alg", "RS256")
				.containsKeys("n", "e")
				.doesNotContainKeys("d", "p", "q", "dp", "dq", "qi"));
		RSAKey parsed = JWKSet.parse(response.body()).getKeys().getFirst().toRSAKey();
		assertThat(parsed.isPrivate()).isFalse();
		assertThat(parsed.size()).isEqualTo(2048);
		assertThat(emulator.jwksFetches()).isEqualTo(1);

		get(emulator.jwksUri());
		assertThat(emulator.jwksFetches()).isEqualTo(2);
	}

	@Test
	void everythingElseAnswers404() throws Exception {
		for (String path : List.of("/", "/authorize", "/token", "/jwks", "/.well-known/jwks.json")) {
			assertThat(get(emulator.issuer() + path).statusCode()).as(path).isEqualTo(404);
		}
		HttpRequest post = HttpRequest.newBuilder(URI.create(emulator.jwksUri()))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		assertThat(http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
		assertThat(emulator.jwksFetches()).isZero();
	}

	@Test
	void issuedTokenVerifiesAgainstTheServedKeysWithItsClaims() throws Exception {
		Instant before = Instant.now().minusSeconds(1);
		String token = emulator.issue(Claims.forSubject("user-1")
			.withAudience(AUDIENCE)
			.withEmail("ada@example.test", true)
			.withName("Ada Lovelace")
			.withClaim("org_id", "org-7")
			.withClaim("roles", List.of("admin")));

		JWTClaimsSet claims = verifier(JWSAlgorithm.RS256).process(token, null);

		assertThat(claims.getSubject()).isEqualTo("user-1");
		assertThat(claims.getIssuer()).isEqualTo(emulator.issuer());
		assertThat(claims.getAudience()).containsExactly(AUDIENCE);
		assertThat(claims.getStringClaim("email")).isEqualTo("ada@example.test");
		assertThat(claims.getBooleanClaim("email_verified")).isTrue();
		assertThat(claims.getStringClaim("name")).isEqualTo("Ada Lovelace");
		assertThat(claims.getStringClaim("org_id")).isEqualTo("org-7");
		assertThat(claims.getStringListClaim("roles")).containsExactly("admin");
		assertThat(claims.getIssueTime().toInstant()).isBetween(before, Instant.now());
		assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
			.isEqualTo(Duration.ofMinutes(5));

		SignedJWT parsed = SignedJWT.parse(token);
		assertThat(parsed.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
		assertThat(parsed.getHeader().getKeyID()).isEqualTo(emulator.currentKeyId());
		assertThat(parsed.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
	}

	@Test
	void oneAudienceIsAStringAndSeveralAreAnArray() throws Exception {
		String single = emulator.issue(Claims.forSubject("user-1").withAudience(AUDIENCE));
		String several = emulator.issue(Claims.forSubject("user-1").withAudience("other-client", AUDIENCE));

		assertThat(payload(single)).containsEntry("aud", AUDIENCE);
		assertThat(payload(several)).containsEntry("aud", List.of("other-client", AUDIENCE));
		assertThat(verifier(JWSAlgorithm.RS256).process(several, null).getAudience())
			.containsExactly("other-client", AUDIENCE);
	}

	@Test
	void es256TokenVerifiesWhenEs256IsAllowed() throws Exception {
		String token = emulator.issue(Claims.forSubject("user-1").withAudience(AUDIENCE)
			.withAlgorithm(SigningAlgorithm.ES256));

		assertThat(SignedJWT.parse(token).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
		assertThat(verifier(JWSAlgorithm.ES256).process(token, null).getSubject()).isEqualTo("user-1");
		assertThat(keys(get(emulator.jwksUri()).body())).extracting(key -> key.get("kty"), key -> key.get("alg"))
			.containsExactly(tuple("RSA", "RS256"), tuple("EC", "ES256"));
		assertThatThrownBy(() -> verifier(JWSAlgorithm.RS256).process(token, null))
			.isInstanceOf(BadJOSEException.class);
	}

	@Test
	void unsignedTokenIsRejected() throws Exception {
		String token = emulator.unsigned(Claims.forSubject("user-1").withAudience(AUDIENCE));

		assertThat(token).endsWith(".");
		assertThat(header(token)).containsEntry("alg", "none");
		assertThat(payload(token)).containsEntry("sub", "user-1");
		assertThatThrownBy(() -> verifier(JWSAlgorithm.RS256).process(token, null))
			.isInstanceOf(BadJOSEException.class)
			.hasMessageContaining("Unsecured");
	}

	@Test
	void tokenSignedByAKeyOutsideTheJwkSetIsRejectedDespiteAKnownKid() throws Exception {
		String rsa = emulator.signedWithUnknownKey(Claims.forSubject("user-1").withAudience(AUDIENCE));
		String ec = emulator.signedWithUnknownKey(Claims.forSubject("user-1").withAudience(AUDIENCE)
			.withAlgorithm(SigningAlgorithm.ES256));

		assertThat(SignedJWT.parse(rsa).getHeader().getKeyID()).isEqualTo(emulator.currentKeyId());
		assertThatThrownBy(() -> verifier(JWSAlgorithm.RS256).process(rsa, null)).isInstanceOf(BadJWSException.class)
			.hasMessageContaining("Invalid signature");
		assertThatThrownBy(() -> verifier(JWSAlgorithm.ES256).process(ec, null)).isInstanceOf(BadJWSException.class)
			.hasMessageContaining("Invalid signature");
	}

	@Test
	void tamperedPayloadIsRejected() throws Exception {
		String token = emulator.issue(Claims.forSubject("user-1").withAudience(AUDIENCE));
		String tampered = emulator.withTamperedPayload(token, "sub", "admin");

		assertThat(payload(tampered)).containsEntry("sub", "admin");
		assertThat(tampered.substring(tampered.lastIndexOf('.'))).isEqualTo(token.substring(token.lastIndexOf('.')));
		assertThat(verifier(JWSAlgorithm.RS256).process(token, null).getSubject()).isEqualTo("user-1");
		assertThatThrownBy(() -> verifier(JWSAlgorithm.RS256).process(tampered, null))
			.isInstanceOf(BadJWSException.class)
			.hasMessageContaining("Invalid signature");
	}

	@Test
	void hs256KeyedWithThePublicKeyIsRejected() throws Exception {
		String token = emulator.hs256WithPublicKey(Claims.forSubject("user-1").withAudience(AUDIENCE));

		// The forgery is genuine: an HMAC check with the downloadable public key passes.
		RSAKey published = JWKSet.parse(get(emulator.jwksUri()).body()).getKeys().getFirst().toRSAKey();
		JWSObject parsed = JWSObject.parse(token);
		assertThat(parsed.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
		assertThat(parsed.getHeader().getKeyID()).isEqualTo(emulator.currentKeyId());
		assertThat(parsed.verify(new MACVerifier(published.toRSAPublicKey().getEncoded()))).isTrue();

		assertThatThrownBy(() -> verifier(JWSAlgorithm.RS256).process(token, null))
			.isInstanceOf(BadJOSEException.class)
			.hasMessageContaining("Another algorithm expected");
	}

	@Test
	void tokenFromAnotherIssuerIsRejected() {
		String token = emulator.issue(Claims.forSubject("user-1").withAudience(AUDIENCE)
			.withIssuer("https://accounts.google.com"));

		assertThatThrownBy(() -> verifier(JWSAlgorithm.RS256).process(token, null))
			.isInstanceOf(BadJWTException.class)
			.hasMessageContaining("iss");
	}

	@Test
	void rotationPublishesOldAndNewKeysUntilTheOldAreRetired() throws Exception {
		DefaultJWTProcessor<SecurityContext> cachingVerifier = verifier(JWSAlgorithm.RS256);
		String oldKid = emulator.currentKeyId();
		String oldToken = emulator.issue(Claims.forSubject("user-1").withAudience(AUDIENCE));
		cachingVerifier.process(oldToken, null);

		String newKid = emulator.rotateKey();
		String newToken = emulator.issue(Claims.forSubject("user-2").withAudience(AUDIENCE));

		assertThat(newKid).isNotEqualTo(oldKid).isEqualTo(emulator.currentKeyId());
		assertThat(SignedJWT.parse(newToken).getHeader().getKeyID()).isEqualTo(newKid);
		assertThat(keys(get(emulator.jwksUri()).body())).extracting(key -> key.get("kid"))
			.containsExactly(newKid, oldKid);
		// A verifier holding the old set meets an unknown kid and fetches the set once more.
		int fetchesBefore = emulator.jwksFetches();
		assertThat(cachingVerifier.process(newToken, null).getSubject()).isEqualTo("user-2");
		assertThat(cachingVerifier.process(oldToken, null).getSubject()).isEqualTo("user-1");
		assertThat(emulator.jwksFetches()).isEqualTo(fetchesBefore + 1);

		emulator.retireOldKeys();

		assertThat(keys(get(emulator.jwksUri()).body())).extracting(key -> key.get("kid")).containsExactly(newKid);
		DefaultJWTProcessor<SecurityContext> freshVerifier = verifier(JWSAlgorithm.RS256);
		assertThat(freshVerifier.process(newToken, null).getSubject()).isEqualTo("user-2");
		assertThatThrownBy(() -> freshVerifier.process(oldToken, null)).isInstanceOf(BadJOSEException.class);
	}

	@Test
	void expiredTokenCarriesAPastExpiryAndIsRejected() throws Exception {
		Instant now = Instant.now();
		String token = emulator.issue(Claims.forSubject("user-1").withAudience(AUDIENCE)
			.withIssuedAt(now.minus(Duration.ofHours(1)))
			.withExpiresAt(now.minus(Duration.ofMinutes(10))));

		assertThat(SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant())
			.isCloseTo(now.minus(Duration.ofMinutes(10)), within(Duration.ofSeconds(1)));
		DefaultJWTProcessor<SecurityContext> defaultClaimsValidation = new DefaultJWTProcessor<>();
		defaultClaimsValidation.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keySource()));
		assertThatThrownBy(() -> defaultClaimsValidation.process(token, null)).isInstanceOf(BadJWTException.class)
			.hasMessageContaining("Expired");
		assertThatThrownBy(() -> verifier(JWSAlgorithm.RS256).process(token, null))
			.isInstanceOf(BadJWTException.class);
	}

	@Test
	void pastExpiryAloneMovesTheDefaultIssuedAtBeforeIt() throws Exception {
		Instant expiresAt = Instant.now().minus(Duration.ofMinutes(10));
		JWTClaimsSet claims = SignedJWT.parse(emulator.issue(Claims.forSubject("user-1").withExpiresAt(expiresAt)))
			.getJWTClaimsSet();

		assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
			.isEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void springDecoderConfiguredFromDiscoveryAcceptsIssuedTokensAndRejectsForgeries() {
		ReactiveJwtDecoder decoder = ReactiveJwtDecoders.fromOidcIssuerLocation(emulator.issuer());
		Claims claims = Claims.forSubject("user-1").withAudience(AUDIENCE);

		Jwt jwt = decoder.decode(emulator.issue(claims)).block(TIMEOUT);

		assertThat(jwt.getSubject()).isEqualTo("user-1");
		assertThat(jwt.getIssuer()).hasToString(emulator.issuer());
		Map<String, String> rejections = Map.of(emulator.unsigned(claims), "algorithm of none",
				emulator.signedWithUnknownKey(claims), "Failed to validate",
				emulator.hs256WithPublicKey(claims), "algorithm of HS256",
				emulator.withTamperedPayload(emulator.issue(claims), "sub", "admin"), "Failed to validate",
				emulator.issue(claims.withExpiresAt(Instant.now().minus(Duration.ofMinutes(10)))), "Jwt expired");
		rejections.forEach((forgery, reason) -> assertThatThrownBy(() -> decoder.decode(forgery).block(TIMEOUT))
			.isInstanceOf(JwtException.class)
			.hasMessageContaining(reason));
	}

	/** Configured like a correct server: fixed algorithms, the remote JWK Set, issuer and audience checked. */
	private DefaultJWTProcessor<SecurityContext> verifier(JWSAlgorithm... allowed) {
		DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
		processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(allowed), keySource()));
		processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(AUDIENCE,
				new JWTClaimsSet.Builder().issuer(emulator.issuer()).build(), Set.of("sub", "iat", "exp")));
		return processor;
	}

	private JWKSource<SecurityContext> keySource() {
		try {
			return JWKSourceBuilder.<SecurityContext>create(URI.create(emulator.jwksUri()).toURL()).retrying(false)
				.build();
		}
		catch (MalformedURLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private HttpResponse<String> get(String uri) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> jsonObject(String json) {
		return JSON.readValue(json, Map.class);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> keys(String jwks) {
		return (List<Map<String, Object>>) jsonObject(jwks).get("keys");
	}

	private static Map<String, Object> header(String token) {
		return jsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0])));
	}

	private static Map<String, Object> payload(String token) {
		return jsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1])));
	}
}
