package dev.kiln.platform.ratelimit;

import org.springframework.http.HttpHeaders;

/**
 * One decision of a {@link RateLimiter}.
 *
 * @param policy the policy's name
 * @param allowed whether the request may proceed
 * @param limit the bucket's capacity
 * @param remaining whole tokens left after this request
 * @param resetSeconds seconds until the bucket is full again
 * @param retryAfterSeconds 0 when allowed; else seconds until one token is available (at least 1)
 * @param windowSeconds seconds an empty bucket takes to fill: {@code limit} requests per this window
 * @param unavailable Redis could not be asked: allowed under a fail-open policy, refused under a
 * fail-closed one; {@code remaining} and {@code resetSeconds} then mean nothing
 */
public record RateLimit(String policy, boolean allowed, long limit, long remaining, long resetSeconds,
		long retryAfterSeconds, long windowSeconds, boolean unavailable) {

	public static final String POLICY_HEADER = "RateLimit-Policy";

	public static final String HEADER = "RateLimit";

	static RateLimit unavailable(String policy, RateLimitSettings.Policy settings, boolean allowed) {
		return new RateLimit(policy, allowed, settings.capacity(), 0, 0, allowed ? 0 : 1, settings.windowSeconds(),
				true);
	}

	/**
	 * Writes the fields of draft-ietf-httpapi-ratelimit-headers (drafts 10 and 11 agree on the syntax):
	 * {@code RateLimit-Policy: "api";q=60;w=2}, {@code RateLimit: "api";r=59;t=1}, and
	 * {@code Retry-After} when refused. Both fields are Structured Field lists, so they are added, not
	 * set: several policies may each add one item. {@code RateLimit} is left out when Redis could not
	 * be asked, as there is no current state to report.
	 * <p>
	 * {@code t} is the time until the bucket is full, the cautious reading of the draft's window: a
	 * client that spends at most {@code r} within {@code t} is never refused. On a refusal
	 * {@code Retry-After} (one token) is sooner than {@code t}; the draft has clients follow
	 * {@code Retry-After} then.
	 */
	public void writeTo(HttpHeaders headers) {
		String name = quoted(policy);
		headers.add(POLICY_HEADER, name + ";q=" + limit + ";w=" + windowSeconds);
		if (!unavailable) {
			headers.add(HEADER, name + ";r=" + remaining + ";t=" + resetSeconds);
		}
		if (!allowed) {
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
		}
	}

	/** An RFC 9651 String: printable ASCII, with {@code "} and {@code \} escaped. */
	private static String quoted(String value) {
		StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '"' || c == '\\') {
				quoted.append('\\').append(c);
			}
			else if (c >= 0x20 && c < 0x7f) {
				quoted.append(c);
			}
			else {
				quoted.append('_');
			}
		}
		return quoted.append('"').toString();
	}
}
