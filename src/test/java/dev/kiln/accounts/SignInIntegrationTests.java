package dev.kiln.accounts;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestSecrets;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Email and password accounts end to end: sign up, log in, refresh with rotation, log out. */
@KilnIntegrationTest
class SignInIntegrationTests {

	@Autowired
	WebTestClient web;

	@Test
	void aNewUserSignsUpLogsInAndSeesTheirProfileAndEmptyBalance() {
		SignedIn user = TestUsers.signUpAndLogIn(web);

		user.as(web).get().uri("/v1/me").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.email").isEqualTo(user.email())
			.jsonPath("$.role").isEqualTo("user")
			.jsonPath("$.status").isEqualTo("active")
			.jsonPath("$.credits.available").isEqualTo(0)
			.jsonPath("$.credits.held").isEqualTo(0);
		user.as(web).get().uri("/v1/credits").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.total").isEqualTo(0);
	}

	@Test
	void theEmailIsNormalisedSoOneMailboxHasOneAccount() {
		String local = "Mixed.Case-" + TestIds.uuid();
		TestUsers.signUp(web, "  " + local + "@Example.TEST ", "a-long-enough-password");

		SignedIn user = TestUsers.logIn(web, local.toLowerCase() + "@example.test", "a-long-enough-password");
		user.as(web).get().uri("/v1/me").exchange().expectBody()
			.jsonPath("$.email").isEqualTo(local.toLowerCase() + "@example.test");
	}

	@Test
	void signingUpWithATakenEmailLooksExactlyLikeANewSignUpAndChangesNothing() {
		SignedIn first = TestUsers.signUpAndLogIn(web);

		String again = signUp(first.email(), "another-password-123").expectStatus().isAccepted()
			.expectBody(String.class).returnResult().getResponseBody();
		String fresh = signUp("fresh-" + TestIds.uuid() + "@example.test", "another-password-123")
			.expectStatus().isAccepted().expectBody(String.class).returnResult().getResponseBody();

		assertThat(again).isEqualTo(fresh);
		TestUsers.logIn(web, first.email(), first.password());
		logIn(first.email(), "another-password-123").expectStatus().isUnauthorized();
	}

	@Test
	void aWrongPasswordAndAnUnknownEmailGetTheSameAnswer() {
		SignedIn user = TestUsers.signUpAndLogIn(web);

		String wrongPassword = logIn(user.email(), "not-the-password").expectStatus().isUnauthorized()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody(Map.class).returnResult().getResponseBody().get("detail").toString();
		String unknownEmail = logIn("nobody-" + TestIds.uuid() + "@example.test", "not-the-password")
			.expectStatus().isUnauthorized()
			.expectBody(Map.class).returnResult().getResponseBody().get("detail").toString();

		assertThat(wrongPassword).isEqualTo(unknownEmail).isEqualTo("The email or the password is wrong.");
	}

	@Test
	void everyInvalidFieldIsNamed() {
		signUp("not-an-email", "a-long-enough-password").expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("email")
			.jsonPath("$.errors[0].reason").isEqualTo("is not an email address");
		signUp("short-" + TestIds.uuid() + "@example.test", "short").expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("password")
			.jsonPath("$.errors[0].reason").isEqualTo("must be 12 to 128 characters long");
		web.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("email", "a@b.test"))
			.exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("password");
		web.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of())
			.exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("refresh_token");
	}

	@Test
	void refreshRotatesTheTokenAndTheNewAccessTokenWorks() {
		SignedIn user = TestUsers.signUpAndLogIn(web);

		Map<?, ?> rotated = refresh(user.refreshToken()).expectStatus().isOk().expectBody(Map.class).returnResult()
			.getResponseBody();

		assertThat(rotated.get("refresh_token")).isNotEqualTo(user.refreshToken());
		assertThat(rotated.get("token_type")).isEqualTo("Bearer");
		assertThat(((Number) rotated.get("expires_in")).longValue()).isBetween(800L, 900L);
		bearer((String) rotated.get("access_token")).get().uri("/v1/me").exchange().expectStatus().isOk();
	}

	@Test
	void reusingARotatedRefreshTokenRevokesTheWholeSession() {
		SignedIn user = TestUsers.signUpAndLogIn(web);
		Map<?, ?> rotated = refresh(user.refreshToken()).expectStatus().isOk().expectBody(Map.class).returnResult()
			.getResponseBody();

		refresh(user.refreshToken()).expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.code").isEqualTo("refresh_token_reused");

		refresh((String) rotated.get("refresh_token")).expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.code").isEqualTo("invalid_refresh_token");
		bearer((String) rotated.get("access_token")).get().uri("/v1/me").exchange().expectStatus().isUnauthorized();
		user.as(web).get().uri("/v1/me").exchange().expectStatus().isUnauthorized();
		TestUsers.logIn(web, user.email(), user.password()).as(web).get().uri("/v1/me").exchange().expectStatus().isOk();
	}

	@Test
	void logoutEndsTheSessionAtOnce() {
		SignedIn user = TestUsers.signUpAndLogIn(web);
		SignedIn otherSession = TestUsers.logIn(web, user.email(), user.password());

		user.as(web).post().uri("/v1/auth/logout").exchange().expectStatus().isNoContent();

		user.as(web).get().uri("/v1/me").exchange().expectStatus().isUnauthorized()
			.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kiln\", error=\"invalid_token\"")
			.expectBody().jsonPath("$.code").isEqualTo("invalid_token");
		refresh(user.refreshToken()).expectStatus().isUnauthorized();
		otherSession.as(web).get().uri("/v1/me").exchange().expectStatus().isOk();
	}

	@Test
	void forgedMalformedOrMisdirectedAccessTokensAreRefused() throws Exception {
		SignedIn user = TestUsers.signUpAndLogIn(web);
		String subject = SignedJWT.parse(user.accessToken()).getJWTClaimsSet().getSubject();
		ECKey kilnKey = ECKey.parse((String) TestSecrets.authProperties().get("kiln.auth.signing-keys.test-1"));

		assertRefused(token(kilnKey, AccessTokens.TYPE, claims -> claims.subject(subject)), true);
		assertRefused(token(kilnKey, AccessTokens.TYPE, claims -> claims.subject(subject).expirationTime(Date.from(Instant.now().minusSeconds(120)))), false);
		assertRefused(token(kilnKey, AccessTokens.TYPE, claims -> claims.subject(subject).issuer("https://elsewhere.test")), false);
		assertRefused(token(kilnKey, AccessTokens.TYPE, claims -> claims.subject(subject).audience("another-api")), false);
		assertRefused(token(kilnKey, JOSEObjectType.JWT, claims -> claims.subject(subject)), false);
		assertRefused(token(TestSecrets.ecKey("test-1"), AccessTokens.TYPE, claims -> claims.subject(subject)), false);
		assertRefused(unsigned(user.accessToken()), false);
		assertRefused("not.a.jwt", false);
	}

	/** The first token is the well-formed control: it must pass, so the others fail for their flaw alone. */
	private void assertRefused(String token, boolean control) {
		WebTestClient.ResponseSpec response = bearer(token).get().uri("/v1/me").exchange();
		if (control) {
			response.expectStatus().isOk();
			return;
		}
		response.expectStatus().isUnauthorized()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.code").isEqualTo("invalid_token");
	}

	private static String token(ECKey key, JOSEObjectType type, Consumer<JWTClaimsSet.Builder> claims)
			throws JOSEException, ParseException {
		JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer("https://kiln.local")
			.audience("kiln-api")
			.claim("sid", TestIds.uuid().toString())
			.claim("role", "user")
			.issueTime(new Date())
			.expirationTime(Date.from(Instant.now().plusSeconds(300)));
		claims.accept(builder);
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(type).keyID(key.getKeyID()).build(),
				builder.build());
		jwt.sign(new ECDSASigner(key));
		return jwt.serialize();
	}

	/** The real token's claims under {@code alg: none} and no signature. */
	private static String unsigned(String token) {
		String header = Base64.getUrlEncoder().withoutPadding()
			.encodeToString("{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8));
		return header + "." + token.split("\\.")[1] + ".";
	}

	private WebTestClient bearer(String token) {
		return web.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token).build();
	}

	private WebTestClient.ResponseSpec signUp(String email, String password) {
		return web.post().uri("/v1/auth/signup").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password)).exchange();
	}

	private WebTestClient.ResponseSpec logIn(String email, String password) {
		return web.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password)).exchange();
	}

	private WebTestClient.ResponseSpec refresh(String token) {
		return web.post().uri("/v1/auth/refresh").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("refresh_token", token)).exchange();
	}
}
