package dev.kiln.platform.ratelimit;

import java.util.List;

import dev.kiln.platform.Deadlines;
import dev.kiln.platform.LuaScript;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Token buckets in Redis, shared by every replica. Each call runs one Lua script, so concurrent
 * requests never both take the last token, and reads Redis's own clock, so replica clocks do not
 * matter. The key is {@code kiln:rl:<policy>:<subject>}: a hash of the tokens left (fractional) and
 * when they were counted (microseconds), expiring once the bucket would be full again, since a
 * missing key means a full bucket.
 */
@Component
public class RateLimiter {

	private static final String KEY_PREFIX = "kiln:rl:";

	// KEYS[1] the bucket; ARGV capacity, refill, period in microseconds.
	// Returns {allowed (1/0), whole tokens left, microseconds until full, microseconds until one token}.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> TOKEN_BUCKET = LuaScript.of("""
			local capacity = tonumber(ARGV[1])
			local refill = tonumber(ARGV[2])
			local period = tonumber(ARGV[3])
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
			local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
			local tokens = tonumber(state[1])
			local at = tonumber(state[2])
			if tokens == nil or at == nil then
				tokens = capacity
				at = now
			end
			if now > at then
				tokens = math.min(capacity, tokens + (now - at) * refill / period)
				at = now
			end
			local allowed = 0
			if tokens >= 1 then
				tokens = tokens - 1
				allowed = 1
			end
			local per_token = period / refill
			local until_full = math.ceil((capacity - tokens) * per_token)
			local until_next = 0
			if allowed == 0 then
				until_next = math.ceil((1 - tokens) * per_token)
			end
			redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%d', at))
			redis.call('PEXPIRE', KEYS[1], math.ceil(until_full / 1000) + 1000)
			return {allowed, math.floor(tokens), until_full, until_next}
			""", List.class);

	private final ReactiveStringRedisTemplate redis;

	private final RateLimitSettings settings;

	private final RedisFailures failures;

	RateLimiter(ReactiveStringRedisTemplate redis, RateLimitSettings settings, MeterRegistry meters) {
		this.redis = redis;
		this.settings = settings;
		this.failures = new RedisFailures(meters);
	}

	/**
	 * Takes one token from {@code subject}'s bucket under {@code policy}. Never fails for Redis: when
	 * Redis does not answer within {@link RedisFailures#TIMEOUT}, the policy's
	 * {@link RateLimitSettings.FailureMode} decides. Emits {@link IllegalArgumentException} for an
	 * unknown policy or a blank subject.
	 */
	public Mono<RateLimit> consume(String policy, String subject) {
		RateLimitSettings.Policy settings;
		try {
			settings = this.settings.policy(policy);
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(ex);
		}
		if (subject == null || subject.isBlank()) {
			return Mono.error(new IllegalArgumentException("A rate limit subject must not be blank"));
		}
		List<String> keys = List.of(KEY_PREFIX + policy + ":" + subject);
		List<String> args = List.of(Integer.toString(settings.capacity()), Integer.toString(settings.refill()),
				Long.toString(Math.max(1, settings.period().toNanos() / 1_000)));
		return Deadlines.within(RedisFailures.TIMEOUT, redis.execute(TOKEN_BUCKET, keys, args).next())
			.map(result -> {
				failures.succeeded();
				return decision(policy, settings, result);
			})
			.onErrorResume(Exception.class, error -> { // an Error (BlockHound's included) is a bug, not Redis being down
				failures.failed(policy, settings.whenRedisFails(), error);
				return Mono.just(whenUnavailable(policy, settings));
			});
	}

	private static RateLimit whenUnavailable(String policy, RateLimitSettings.Policy settings) {
		return switch (settings.whenRedisFails()) {
			// Failing open: these limits protect capacity, and nothing about money depends on Redis (the
			// credit ledger in PostgreSQL decides every spend), so an outage must not take the API down.
			case OPEN -> RateLimit.unavailable(policy, settings, true);
			// Failing closed: a limit such as the per-account login limit guards against password
			// guessing; letting requests through unlimited while Redis is down would switch that off.
			case CLOSED -> RateLimit.unavailable(policy, settings, false);
		};
	}

	private static RateLimit decision(String policy, RateLimitSettings.Policy settings, List<?> result) {
		boolean allowed = number(result, 0) == 1;
		long remaining = number(result, 1);
		long resetSeconds = ceilSeconds(number(result, 2));
		long retryAfterSeconds = allowed ? 0 : Math.max(1, ceilSeconds(number(result, 3)));
		return new RateLimit(policy, allowed, settings.capacity(), remaining, resetSeconds, retryAfterSeconds,
				settings.windowSeconds(), false);
	}

	private static long number(List<?> result, int index) {
		return ((Number) result.get(index)).longValue();
	}

	private static long ceilSeconds(long micros) {
		return Math.ceilDiv(micros, 1_000_000L);
	}
}
