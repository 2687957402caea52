package dev.kiln.platform.ratelimit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rate-limit fields as draft-ietf-httpapi-ratelimit-headers (10/11) spells them, and the refusals. */
class RateLimitTests {

	@Test
	void anAllowedRequestGetsThePolicyAndTheCurrentLimitButNoRetryAfter() {
		HttpHeaders headers = new HttpHeaders();
		new RateLimit("api", true, 60, 59, 1, 0, 2, false).writeTo(headers);

		assertThat(headers.get("RateLimit-Policy")).containsExactly("\"api\";q=60;w=2");
		assertThat(headers.get("RateLimit")).containsExactly("\"api\";r=59;t=1");
		assertThat(headers.containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
	}

	@Test
	void aRefusedRequestAlsoGetsRetryAfterInSeconds() {
		HttpHeaders headers = new HttpHeaders();
		new RateLimit("auth-ip", false, 20, 0, 60, 3, 60, false).writeTo(headers);

		assertThat(headers.get("RateLimit-Policy")).containsExactly("\"auth-ip\";q=20;w=60");
		assertThat(headers.get("RateLimit")).containsExactly("\"auth-ip\";r=0;t=60");
		assertThat(headers.get(HttpHeaders.RETRY_AFTER)).containsExactly("3");
	}

	@Test
	void withoutRedisThereIsNoCurrentLimitToReport() {
		RateLimitSettings.Policy policy = new RateLimitSettings.Policy(5, 5, Duration.ofMinutes(15),
				RateLimitSettings.FailureMode.CLOSED);
		HttpHeaders headers = new HttpHeaders();
		RateLimit.unavailable("login-account", policy, false).writeTo(headers);

		assertThat(headers.get("RateLimit-Policy")).containsExactly("\"login-account\";q=5;w=900");
		assertThat(headers.containsHeader("RateLimit")).isFalse();
		assertThat(headers.get(HttpHeaders.RETRY_AFTER)).containsExactly("1");
	}

	@Test
	void policyNamesAreWrittenAsStructuredFieldStrings() {
		HttpHeaders headers = new HttpHeaders();
		new RateLimit("we\"ird\\name\u00e9", true, 1, 0, 1, 0, 1, false).writeTo(headers);

		assertThat(headers.getFirst("RateLimit")).isEqualTo("\"we\\\"ird\\\\name_\";r=0;t=1");
	}

	@Test
	void severalPoliciesOnOneResponseAreSeveralListItems() {
		HttpHeaders headers = new HttpHeaders();
		new RateLimit("api", true, 60, 10, 2, 0, 2, false).writeTo(headers);
		new RateLimit("daily", true, 50, 7, 3600, 0, 86400, false).writeTo(headers);

		assertThat(headers.get("RateLimit")).containsExactly("\"api\";r=10;t=2", "\"daily\";r=7;t=3600");
	}

	@Test
	void theWindowIsTheTimeAnEmptyBucketTakesToFill() {
		assertThat(policy(60, 30, Duration.ofSeconds(1)).windowSeconds()).isEqualTo(2);
		assertThat(policy(20, 20, Duration.ofMinutes(1)).windowSeconds()).isEqualTo(60);
		assertThat(policy(5, 5, Duration.ofMinutes(15)).windowSeconds()).isEqualTo(900);
		assertThat(policy(10, 3, Duration.ofSeconds(1)).windowSeconds()).isEqualTo(4);
		assertThat(policy(2, 2, Duration.ofMillis(500)).windowSeconds()).isEqualTo(1);
	}

	@Test
	void aRefusalIsA429ProblemCarryingTheHeaders() {
		RateLimited refused = new RateLimited(new RateLimit("api", false, 60, 0, 2, 1, 2, false));

		assertThat(refused.getStatusCode().value()).isEqualTo(429);
		ProblemDetail body = refused.getBody();
		assertThat(body.getProperties()).containsEntry("code", "rate_limited").containsEntry("policy", "api");
		assertThat(body.getType().toString()).isEqualTo("urn:kiln:problem:rate_limited");
		assertThat(body.getDetail()).isEqualTo("Too many requests under the 'api' rate limit (60 per 2 seconds); "
				+ "retry in 1 second.");
		assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
		assertThat(refused.getHeaders().getFirst("RateLimit")).isEqualTo("\"api\";r=0;t=2");
	}

	@Test
	void aFailClosedPolicyWithoutRedisIsA503() {
		RateLimitSettings.Policy policy = policy(5, 5, Duration.ofMinutes(15));
		RateLimited refused = new RateLimited(RateLimit.unavailable("login-account", policy, false));

		assertThat(refused.getStatusCode().value()).isEqualTo(503);
		assertThat(refused.getBody().getProperties()).containsEntry("code", "rate_limiter_unavailable");
		assertThat(refused.getBody().getDetail()).contains("'login-account'", "retry in 1 second");
		assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
	}

	@Test
	void anAllowedRequestIsNoRefusal() {
		assertThatThrownBy(() -> new RateLimited(new RateLimit("api", true, 60, 59, 1, 0, 2, false)))
			.isInstanceOf(IllegalArgumentException.class);
	}

	private static RateLimitSettings.Policy policy(int capacity, int refill, Duration period) {
		return new RateLimitSettings.Policy(capacity, refill, period, RateLimitSettings.FailureMode.OPEN);
	}
}
