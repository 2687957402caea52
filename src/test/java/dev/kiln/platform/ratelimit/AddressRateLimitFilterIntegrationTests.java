package dev.kiln.platform.ratelimit;

import dev.kiln.testing.KilnIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Requests with guessed credentials never reach the per-user limit (authentication answers 401 first),
 * so a guard per address runs before authentication.
 */
@KilnIntegrationTest
@TestPropertySource(properties = { "kiln.rate-limits.policies.address.capacity=3",
		"kiln.rate-limits.policies.address.refill=1", "kiln.rate-limits.policies.address.period=1h" })
class AddressRateLimitFilterIntegrationTests {

	@Autowired
	WebTestClient web;

	@Test
	void guessedApiKeysFromOneAddressAreStoppedBeforeTheyReachTheDatabase() {
		for (int i = 0; i < 3; i++) {
			guess().expectStatus().isUnauthorized();
		}

		guess().expectStatus().isEqualTo(429)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().exists(HttpHeaders.RETRY_AFTER)
			.expectBody().jsonPath("$.policy").isEqualTo("address");
		web.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
	}

	private WebTestClient.ResponseSpec guess() {
		return web.get().uri("/v1/credits")
			.header(HttpHeaders.AUTHORIZATION, "Bearer kiln_sk_0000000000000000_00000000000000000000000000000000_000000")
			.exchange();
	}
}
