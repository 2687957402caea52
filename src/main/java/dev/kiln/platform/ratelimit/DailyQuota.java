package dev.kiln.platform.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import dev.kiln.platform.Deadlines;
import dev.kiln.platform.LuaScript;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Generations per plan and UTC day, counted in Redis under {@code kiln:quota:<plan>:<subject>:<yyyymmdd>}.
 * One Lua script checks and counts, so concurrent requests never pass the limit together, and a refused
 * request is not counted. The day comes from the application clock (replicas agree to within their
 * clock skew, which only matters in the seconds around midnight); the key expires after its day ends.
 */
@Component
public class DailyQuota {

	static final String POLICY = "daily-generations";

	private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

	/** Keeps a day's count a little past midnight, for requests that straddle it. */
	private static final Duration EXPIRY_MARGIN = Duration.ofHours(1);

	// KEYS[1] the day's counter; ARGV limit, expiry in milliseconds. Returns {allowed (1/0), used}.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> COUNT = LuaScript.of("""
			local limit = tonumber(ARGV[1])
			local used = tonumber(redis.call('GET', KEYS[1]) or '0')
			if used >= limit then
				return {0, used}
			end
			used = redis.call('INCR', KEYS[1])
			if used == 1 then
				redis.call('PEXPIRE', KEYS[1], ARGV[2])
			end
			return {1, used}
			""", List.class);

	// KEYS[1] the day's counter. Takes one back unless the count is already 0 (or the key gone).
	private static final RedisScript<Long> GIVE_BACK = LuaScript.of("""
			local used = tonumber(redis.call('GET', KEYS[1]) or '0')
			if used <= 0 then
				return 0
			end
			return redis.call('DECR', KEYS[1])
			""", Long.class);

	private final ReactiveStringRedisTemplate redis;

	private final RateLimitSettings settings;

	private final Clock clock;

	private final RedisFailures failures;

	DailyQuota(ReactiveStringRedisTemplate redis, RateLimitSettings settings, Clock clock, MeterRegistry meters) {
		this.redis = redis;
		this.settings = settings;
		this.clock = clock;
		this.failures = new RedisFailures(meters);
	}

	/**
	 * Counts one generation for {@code subject} on {@code plan} today, unless the day's limit is
	 * reached. Never fails for Redis (see below). Emits {@link IllegalArgumentException} for an
	 * unknown plan or a blank subject.
	 */
	public Mono<QuotaDecision> consume(String plan, String subject) {
		long limit;
		try {
			limit = settings.dailyGenerations(plan);
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(ex);
		}
		if (subject == null || subject.isBlank()) {
			return Mono.error(new IllegalArgumentException("A quota subject must not be blank"));
		}
		Instant now = clock.instant();
		LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
		Instant resetsAt = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
		long expiryMillis = Duration.between(now, resetsAt).plus(EXPIRY_MARGIN).toMillis();
		List<String> keys = List.of(key(plan, subject, today));
		return Deadlines.within(RedisFailures.TIMEOUT,
				redis.execute(COUNT, keys, List.of(Long.toString(limit), Long.toString(expiryMillis))).next())
			.map(result -> {
				failures.succeeded();
				return new QuotaDecision(((Number) result.get(0)).longValue() == 1, limit,
						((Number) result.get(1)).longValue(), resetsAt);
			})
			.onErrorResume(Exception.class, error -> { // an Error (BlockHound's included) is a bug, not Redis being down
				// Fails open: the quota is abuse protection only. Money is safe without it, because the
				// credit ledger in PostgreSQL holds and debits every generation.
				failures.failed(POLICY, RateLimitSettings.FailureMode.OPEN, error);
				return Mono.just(new QuotaDecision(true, limit, 0, resetsAt));
			});
	}

	/**
	 * Takes back a generation that {@code counted} counted and that did not start after all (a replay of
	 * one already admitted), on the day it was counted. Best effort, like the quota: a failure is logged
	 * and the generation stays counted.
	 */
	public Mono<Void> giveBack(String plan, String subject, QuotaDecision counted) {
		if (!counted.allowed() || counted.used() == 0) {
			return Mono.empty(); // not counted, or counted while Redis could not be asked
		}
		LocalDate day = counted.resetsAt().atZone(ZoneOffset.UTC).toLocalDate().minusDays(1);
		return Deadlines.within(RedisFailures.TIMEOUT, redis.execute(GIVE_BACK, List.of(key(plan, subject, day)), List.of()).next())
			.doOnNext(left -> failures.succeeded())
			.then()
			.onErrorResume(Exception.class, error -> {
				failures.failed(POLICY, RateLimitSettings.FailureMode.OPEN, error);
				return Mono.empty();
			});
	}

	private static String key(String plan, String subject, LocalDate day) {
		return "kiln:quota:" + plan + ":" + subject + ":" + DAY.format(day);
	}
}
