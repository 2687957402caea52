package dev.kiln.accounts;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestUsers;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Browser front ends: CORS for configured origins only, and protective headers on every response. */
@KilnIntegrationTest
@TestPropertySource(properties = "kiln.web.cors.allowed-origins[0]=https://app.example.test")
class BrowserSecurityIntegrationTests {

	@Autowired
	WebTestClient web;

	@Test
	void aConfiguredOriginMayCallTheApiAndOthersMayNot() {
		web.options().uri("/v1/me")
			.header(HttpHeaders.ORIGIN, "https://app.example.test")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
			.exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://app.example.test");
		web.options().uri("/v1/me")
			.header(HttpHeaders.ORIGIN, "https://evil.example.test")
			.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
	}

	@Test
	void apiResponsesCarryProtectiveHeaders() {
		TestUsers.signUpAndLogIn(web).as(web).get().uri("/v1/me").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
			.expectHeader().valueEquals("X-Frame-Options", "DENY")
			.expectHeader().valueEquals("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			.expectHeader().valueEquals("Referrer-Policy", "no-referrer")
			.expectHeader().valueMatches(HttpHeaders.CACHE_CONTROL, ".*no-store.*");
	}
}
