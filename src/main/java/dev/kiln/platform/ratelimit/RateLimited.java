package dev.kiln.platform.ratelimit;

import dev.kiln.platform.web.Problems;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A refused {@link RateLimit} as an error response: 429 {@code rate_limited}, or 503
 * {@code rate_limiter_unavailable} when a fail-closed policy could not be checked. Carries the
 * rate-limit headers and {@code Retry-After}; Kiln's error handling renders it as problem+json.
 */
public class RateLimited extends ErrorResponseException {

	private final transient RateLimit limit;

	public RateLimited(RateLimit limit) {
		super(status(limit), problem(limit), null);
		if (limit.allowed()) {
			throw new IllegalArgumentException("RateLimited needs a refused RateLimit, got " + limit);
		}
		this.limit = limit;
		limit.writeTo(getHeaders());
	}

	public RateLimit limit() {
		return limit;
	}

	// Refusals are expected traffic, not bugs: a stack trace per refused request would be wasted work.
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

	private static HttpStatus status(RateLimit limit) {
		return limit.unavailable() ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.TOO_MANY_REQUESTS;
	}

	private static ProblemDetail problem(RateLimit limit) {
		ProblemDetail problem = limit.unavailable()
				? Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "rate_limiter_unavailable",
						"The '" + limit.policy() + "' rate limit cannot be checked right now, so the request was "
								+ "refused; retry in " + seconds(limit.retryAfterSeconds()) + ".")
				: Problems.of(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
						"Too many requests under the '" + limit.policy() + "' rate limit (" + limit.limit()
								+ " per " + seconds(limit.windowSeconds()) + "); retry in "
								+ seconds(limit.retryAfterSeconds()) + ".");
		problem.setProperty("policy", limit.policy());
		problem.setProperty("retry_after_seconds", limit.retryAfterSeconds());
		return problem;
	}

	private static String seconds(long seconds) {
		return seconds == 1 ? "1 second" : seconds + " seconds";
	}
}
