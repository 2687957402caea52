package dev.kiln.accounts;

import java.util.Map;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SecondInstance;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Password guessing is throttled per account, with the IETF RateLimit headers, and the limit holds
 * across Kiln instances because its state is in Redis.
 */
@KilnIntegrationTest
class LoginRateLimitIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	ConfigurableEnvironment environment;

	@Test
	void guessingOneAccountsPasswordOnTwoInstancesIsStoppedAfterFiveTries() {
		SignedIn victim = TestUsers.signUpAndLogIn(web);
		try (SecondInstance second = SecondInstance.sharing(environment)) {
			WebTestClient other = second.client();
			for (int attempt = 0; attempt < 4; attempt++) {
				(attempt % 2 == 0 ? web : other).post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Map.of("email", victim.email(), "password", "guess-" + attempt)).exchange()
					.expectStatus().isUnauthorized();
			}

			other.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("email", victim.email(), "password", victim.password())).exchange()
				.expectStatus().isEqualTo(429)
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectHeader().exists("Retry-After")
				.expectHeader().valueMatches("RateLimit-Policy", "\"login-account-address\";q=5;w=\\d+")
				.expectHeader().valueMatches("RateLimit", "\"login-account-address\";r=0;t=\\d+")
				.expectBody().jsonPath("$.code").isEqualTo("rate_limited");
		}
	}
}
