package dev.kiln.accounts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.oidc.Claims;
import dev.kiln.testing.oidc.OidcIssuerEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bearer tokens of a configured external OIDC issuer (here an in-process issuer that really signs
 * tokens and serves its JWK Set) sign users in; their user is created once, on first use.
 */
@KilnIntegrationTest
class ExternalSignInIntegrationTests {

	static final OidcIssuerEmulator issuer = OidcIssuerEmulator.start();

	static final OidcIssuerEmulator stranger = OidcIssuerEmulator.start();

	@DynamicPropertySource
	static void externalIssuer(DynamicPropertyRegistry registry) {
		registry.add("kiln.auth.external-issuers[0].issuer", issuer::issuer);
		registry.add("kiln.auth.external-issuers[0].audience", () -> "kiln-web");
		registry.add("kiln.auth.external-issuers[0].jwks-uri", issuer::jwksUri);
	}

	@AfterAll
	static void stopIssuers() {
		issuer.close();
		stranger.close();
	}

	@Autowired
	WebTestClient web;

	@Autowired
	DatabaseClient db;

	@Test
	void aTokenOfTheIssuerSignsInAndCreatesTheUserOnce() {
		String subject = "google-" + TestIds.uuid();
		String token = issuer.issue(Claims.forSubject(subject).withAudience("kiln-web").withEmail("ada@example.test", true));

		List<String> ids = Flux.range(0, 4)
			.flatMap(i -> bearer(token).get().uri("/v1/me").exchange().returnResult(Map.class).getResponseBody()
				.map(profile -> profile.get("id").toString()))
			.collectList()
			.block();

		assertThat(ids).hasSize(4).containsOnly(ids.getFirst());
		bearer(token).get().uri("/v1/me").exchange().expectStatus().isOk()
			.expectBody()
			.jsonPath("$.id").isEqualTo(ids.getFirst())
			.jsonPath("$.email").isEqualTo("ada@example.test")
			.jsonPath("$.credits.available").isEqualTo(0);
		assertThat(db.sql("select count(*) as n from external_identities where subject = :subject").bind("subject", subject)
			.map(row -> row.get("n", Long.class)).one().block()).isEqualTo(1);
	}

	@Test
	void anUnverifiedEmailIsNotKept() {
		String token = issuer.issue(Claims.forSubject("zitadel-" + TestIds.uuid()).withAudience("kiln-web")
			.withEmail("someone-else@example.test", false));

		bearer(token).get().uri("/v1/me").exchange().expectStatus().isOk().expectBody().jsonPath("$.email").doesNotExist();
	}

	@Test
	void forgedExpiredMisdirectedAndForeignTokensAreRefused() {
		Claims good = Claims.forSubject("sub-" + TestIds.uuid()).withAudience("kiln-web");

		bearer(issuer.issue(good)).get().uri("/v1/me").exchange().expectStatus().isOk();
		for (String token : List.of(issuer.unsigned(good), issuer.signedWithUnknownKey(good),
				issuer.hs256WithPublicKey(good), issuer.withTamperedPayload(issuer.issue(good), "sub", "someone-else"),
				issuer.issue(good.withAudience("another-app")),
				issuer.issue(good.withIssuedAt(Instant.now().minusSeconds(900)).withExpiresAt(Instant.now().minusSeconds(600))),
				stranger.issue(good), issuer.issue(good.withIssuer(stranger.issuer())))) {
			bearer(token).get().uri("/v1/me").exchange()
				.expectStatus().isUnauthorized()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.code").isEqualTo("invalid_token");
		}
	}

	private WebTestClient bearer(String token) {
		return web.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token).build();
	}
}
