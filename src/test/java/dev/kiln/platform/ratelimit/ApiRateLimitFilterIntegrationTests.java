package dev.kiln.platform.ratelimit;

import java.time.Duration;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's rate limits seen from a client: the draft-standard headers on every limited response, a 429
 * problem past the limit, buckets per principal or per IP, and nothing limited outside {@code /v1}.
 * Buckets are tiny and refill once an hour, so nothing refills during a test. Callers sign in for real.
 */
@KilnIntegrationTest
@Import(ApiRateLimitFilterIntegrationTests.SampleController.class)
@TestPropertySource(properties = { "kiln.rate-limits.policies.api.capacity=3",
		"kiln.rate-limits.policies.api.refill=1", "kiln.rate-limits.policies.api.period=1h",
		"kiln.rate-limits.policies.auth-ip.capacity=4", "kiln.rate-limits.policies.auth-ip.refill=1",
		"kiln.rate-limits.policies.auth-ip.period=1h" })
class ApiRateLimitFilterIntegrationTests {

	@Autowired
	WebTestClient anonymous;

	@Autowired
	ReactiveStringRedisTemplate redis;

	TestUsers.SignedIn alice;

	TestUsers.SignedIn bob;

	WebTestClient web;

	/** Every request here comes from 127.0.0.1: sign two users in, then start each test with no buckets. */
	@BeforeEach
	void signInAndEmptyBuckets() {
		emptyBuckets();
		alice = TestUsers.signUpAndLogIn(anonymous);
		bob = TestUsers.signUpAndLogIn(anonymous);
		web = alice.as(anonymous);
		emptyBuckets();
	}

	private void emptyBuckets() {
		redis.keys("kiln:rl:*").flatMap(redis::delete).then().block(Duration.ofSeconds(10));
	}

	@Test
	void aLimitedResponseCarriesThePolicyAndTheCurrentLimit() {
		web.get().uri("/v1/test/ping").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("RateLimit-Policy", "\"api\";q=3;w=10800")
			.expectHeader().valueEquals("RateLimit", "\"api\";r=2;t=3600")
			.expectHeader().doesNotExist(HttpHeaders.RETRY_AFTER);
		web.get().uri("/v1/test/ping").exchange()
			.expectHeader().valueEquals("RateLimit", "\"api\";r=1;t=7200");
	}

	@Test
	void pastTheLimitTheAnswerIsA429ProblemSayingWhenToRetry() {
		for (int i = 0; i < 3; i++) {
			web.get().uri("/v1/test/ping").exchange().expectStatus().isOk();
		}

		web.get().uri("/v1/test/ping").exchange()
			.expectStatus().isEqualTo(429)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().valueEquals("RateLimit-Policy", "\"api\";q=3;w=10800")
			.expectHeader().value("RateLimit", value -> assertThat(value).matches("\"api\";r=0;t=10[0-9]{3}"))
			.expectHeader().value(HttpHeaders.RETRY_AFTER,
					value -> assertThat(Long.parseLong(value)).isBetween(3590L, 3600L))
			.expectHeader().exists("X-Request-Id")
			.expectBody()
			.jsonPath("$.status").isEqualTo(429)
			.jsonPath("$.type").isEqualTo("urn:kiln:problem:rate_limited")
			.jsonPath("$.code").isEqualTo("rate_limited")
			.jsonPath("$.policy").isEqualTo("api")
			.jsonPath("$.detail").value(detail -> assertThat((String) detail)
				.startsWith("Too many requests under the 'api' rate limit (3 per 10800 seconds); retry in 3"))
			.jsonPath("$.instance").isEqualTo("/v1/test/ping")
			.jsonPath("$.request_id").isNotEmpty();
	}

	@Test
	void errorResponsesUnderV1CarryTheHeadersToo() {
		web.get().uri("/v1/nothing-here").exchange()
			.expectStatus().isNotFound()
			.expectHeader().valueEquals("RateLimit", "\"api\";r=2;t=3600");
	}

	@Test
	void authPathsHaveTheirOwnPerIpLimit() {
		login().expectStatus().isUnauthorized()
			.expectHeader().valueEquals("RateLimit-Policy", "\"auth-ip\";q=4;w=14400")
			.expectHeader().valueEquals("RateLimit", "\"auth-ip\";r=3;t=3600");
		for (int i = 0; i < 3; i++) {
			login().expectStatus().isUnauthorized();
		}

		login().expectStatus().isEqualTo(429)
			.expectHeader().exists(HttpHeaders.RETRY_AFTER)
			.expectBody().jsonPath("$.policy").isEqualTo("auth-ip");
		web.get().uri("/v1/test/ping").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("RateLimit", "\"api\";r=2;t=3600");
	}

	@Test
	void authenticatedRequestsAreLimitedPerPrincipalNotPerAddress() {
		for (int i = 0; i < 3; i++) {
			web.get().uri("/v1/test/ping").exchange().expectStatus().isOk();
		}
		web.get().uri("/v1/test/ping").exchange().expectStatus().isEqualTo(429);

		bob.as(anonymous).get().uri("/v1/test/ping").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("RateLimit", "\"api\";r=2;t=3600");
		assertThat(redis.keys("kiln:rl:api:user:*").collectList().block(Duration.ofSeconds(10))).hasSize(2);
	}

	@Test
	void pathsOutsideV1AreNotLimited() {
		for (int i = 0; i < 5; i++) {
			web.get().uri("/actuator/health").exchange()
				.expectStatus().value(status -> assertThat(status).isNotEqualTo(429))
				.expectHeader().doesNotExist("RateLimit")
				.expectHeader().doesNotExist("RateLimit-Policy");
		}
		web.get().uri("/test/unlimited").exchange()
			.expectStatus().isOk()
			.expectHeader().doesNotExist("RateLimit");
	}

	private WebTestClient.ResponseSpec login() {
		return anonymous.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(java.util.Map.of("email", "guess-" + TestIds.uuid() + "@example.test", "password", "guess"))
			.exchange();
	}

	@RestController
	static class SampleController {

		@GetMapping("/v1/test/ping")
		Mono<String> ping() {
			return Mono.just("pong");
		}

		@GetMapping("/test/unlimited")
		Mono<String> unlimited() {
			return Mono.just("free");
		}
	}
}
