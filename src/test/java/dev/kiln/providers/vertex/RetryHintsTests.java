package dev.kiln.providers.vertex;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryHintsTests {

	static final Instant NOW = Instant.parse("2026-12-02T15:00:00Z");

	static final String QUOTA_BODY = """
			{"error": {"code": 429, "message": "Resource exhausted.", "status": "RESOURCE_EXHAUSTED",
			  "details": [
			    {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
			    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "%s"}]}}
			""";

	@Test
	void retryAfterInSeconds() {
		assertThat(RetryHints.fromHeader("7", NOW)).isEqualTo(Duration.ofSeconds(7));
		assertThat(RetryHints.fromHeader(" 0 ", NOW)).isEqualTo(Duration.ZERO);
	}

	@Test
	void retryAfterAsAnHttpDate() {
		assertThat(RetryHints.fromHeader("Wed, 02 Dec 2026 15:00:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(30));
		assertThat(RetryHints.fromHeader("Wed, 02 Dec 2026 14:59:00 GMT", NOW)).as("a date already past")
			.isEqualTo(Duration.ZERO);
	}

	@Test
	void anUnreadableRetryAfterIsNoHint() {
		assertThat(RetryHints.fromHeader(null, NOW)).isNull();
		assertThat(RetryHints.fromHeader("", NOW)).isNull();
		assertThat(RetryHints.fromHeader("-5", NOW)).isNull();
		assertThat(RetryHints.fromHeader("1.5", NOW)).isNull();
		assertThat(RetryHints.fromHeader("soon", NOW)).isNull();
		assertThat(RetryHints.fromHeader("99999999999999999999", NOW)).as("absurdly far").isNull();
	}

	@Test
	void retryInfoInGooglesErrorBody() {
		assertThat(RetryHints.fromBody(QUOTA_BODY.formatted("23s"))).isEqualTo(Duration.ofSeconds(23));
		assertThat(RetryHints.fromBody(QUOTA_BODY.formatted("1.500s"))).isEqualTo(Duration.ofMillis(1500));
		assertThat(RetryHints.fromBody(QUOTA_BODY.formatted("0.000000001s"))).isEqualTo(Duration.ofNanos(1));
	}

	@Test
	void aBodyWithoutAReadableRetryInfoIsNoHint() {
		assertThat(RetryHints.fromBody(null)).isNull();
		assertThat(RetryHints.fromBody("")).isNull();
		assertThat(RetryHints.fromBody("<html>Too many requests</html>")).isNull();
		assertThat(RetryHints.fromBody("{\"error\": {\"code\": 429, \"status\": \"RESOURCE_EXHAUSTED\"}}")).isNull();
		assertThat(RetryHints.fromBody(QUOTA_BODY.formatted("-3s"))).isNull();
		assertThat(RetryHints.fromBody(QUOTA_BODY.formatted("3m"))).isNull();
		assertThat(RetryHints.fromBody(QUOTA_BODY.formatted("s"))).isNull();
		assertThat(RetryHints.fromBody("[1, 2]")).isNull();
	}

	@Test
	void theHeaderWinsAndTheBodyIsReadOnlyWithoutIt() {
		assertThat(RetryHints.parse("4", () -> {
			throw new AssertionError("the body was read although the header answered");
		}, NOW)).isEqualTo(Duration.ofSeconds(4));
		assertThat(RetryHints.parse(null, () -> QUOTA_BODY.formatted("2s"), NOW)).isEqualTo(Duration.ofSeconds(2));
		assertThat(RetryHints.parse(null, () -> {
			throw new IOException("connection reset");
		}, NOW)).isNull();
	}
}
