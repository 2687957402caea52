package dev.kiln.platform.ratelimit;

import java.time.Duration;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Rate limits by name, and generations per UTC day by plan.
 *
 * @param policies token buckets by policy name
 * @param dailyGenerations generations per UTC day by plan name
 */
@ConfigurationProperties("kiln.rate-limits")
@Validated
public record RateLimitSettings(Map<String, @Valid @NotNull Policy> policies,
		Map<String, @NotNull @Min(0) Long> dailyGenerations) {

	public RateLimitSettings {
		policies = policies == null ? Map.of() : Map.copyOf(policies);
		dailyGenerations = dailyGenerations == null ? Map.of() : Map.copyOf(dailyGenerations);
	}

	public Policy policy(String name) {
		Policy policy = policies.get(name);
		if (policy == null) {
			throw new IllegalArgumentException("No rate limit policy named '" + name + "'; configured: "
					+ policies.keySet().stream().sorted().toList());
		}
		return policy;
	}

	public long dailyGenerations(String plan) {
		Long limit = dailyGenerations.get(plan);
		if (limit == null) {
			throw new IllegalArgumentException("No daily generation limit for plan '" + plan + "'; configured: "
					+ dailyGenerations.keySet().stream().sorted().toList());
		}
		return limit;
	}

	/**
	 * A token bucket: holds at most {@code capacity} tokens, gains {@code refill} tokens every
	 * {@code period} (continuously), and each request takes one.
	 *
	 * @param capacity the burst a client may send at once
	 * @param refill tokens added per period
	 * @param period the time over which {@code refill} tokens are added
	 * @param whenRedisFails whether requests pass or are refused while Redis cannot be asked
	 */
	public record Policy(@Min(1) int capacity, @Min(1) int refill, @NotNull @DurationMin(millis = 1) Duration period,
			@NotNull FailureMode whenRedisFails) {

		/** Seconds an empty bucket takes to fill: the window in which {@code capacity} requests are allowed. */
		public long windowSeconds() {
			double seconds = period.toNanos() / 1e9 * capacity / refill;
			// the small tolerance keeps 2.0000000001 (floating point noise) at 2
			return Math.max(1, (long) Math.ceil(seconds - 1e-9));
		}
	}

	public enum FailureMode {

		/** Allow the request: the limit only protects capacity, nothing about money depends on it. */
		OPEN,

		/** Refuse the request: the limit is a security control that must not silently disappear. */
		CLOSED
	}
}
