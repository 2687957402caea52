package dev.kiln.accounts;

import java.util.Map;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SecondInstance;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** One address hammering the auth endpoints is stopped, whichever instance it reaches. */
@KilnIntegrationTest
@TestPropertySource(properties = { "kiln.rate-limits.policies.auth-ip.capacity=12",
		"kiln.rate-limits.policies.auth-ip.refill=12", "kiln.rate-limits.policies.auth-ip.period=1h" })
class AuthAddressRateLimitIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	ConfigurableEnvironment environment;

	@Test
	void theLimitPerAddressIsSharedByBothInstances() {
		try (SecondInstance second = SecondInstance.sharing(environment)) {
			WebTestClient other = second.client();
			int refused = 0;
			for (int attempt = 0; attempt < 16; attempt++) {
				int status = (attempt % 2 == 0 ? web : other).post().uri("/v1/auth/login")
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(Map.of("email", "nobody" + attempt + "@example.test", "password", "guess")).exchange()
					.returnResult(String.class).getStatus().value();
				refused += status == 429 ? 1 : 0;
			}
			assertThat(refused).isEqualTo(16 - 12);
		}
	}
}
