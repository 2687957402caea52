package dev.kiln.platform.ratelimit;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every limiter call Redis did not answer and logs one WARN per outage (the first failure after
 * a success), not one per request: while Redis is down every request would log otherwise.
 */
final class RedisFailures {

	/** Every limiter call waits at most this long for Redis before its failure mode decides. */
	static final Duration TIMEOUT = Duration.ofMillis(500);

	static final String COUNTER = "kiln.rate_limit.redis_failures";

	private static final Logger log = LoggerFactory.getLogger(RedisFailures.class);

	private final MeterRegistry meters;

	private final AtomicBoolean failing = new AtomicBoolean();

	RedisFailures(MeterRegistry meters) {
		this.meters = meters;
	}

	void failed(String policy, RateLimitSettings.FailureMode mode, Throwable error) {
		meters.counter(COUNTER, "policy", policy, "when_redis_fails", mode.name().toLowerCase(Locale.ROOT)).increment();
		if (failing.compareAndSet(false, true)) {
			log.warn("Redis did not answer the rate limiter ({}); policies that fail open allow requests, "
					+ "policies that fail closed refuse them, until it answers again", describe(error));
		}
	}

	void succeeded() {
		if (failing.get() && failing.compareAndSet(true, false)) {
			log.info("Redis answers the rate limiter again");
		}
	}

	private static String describe(Throwable error) {
		String message = error.getMessage();
		return message == null ? error.getClass().getSimpleName() : error.getClass().getSimpleName() + ": " + message;
	}
}
