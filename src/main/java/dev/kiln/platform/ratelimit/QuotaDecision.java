package dev.kiln.platform.ratelimit;

import java.time.Instant;

/**
 * One decision of {@link DailyQuota}.
 *
 * @param allowed whether this generation may start (and was counted)
 * @param limit generations allowed per UTC day on the plan
 * @param used generations counted today, this one included when allowed; 0 when Redis could not be asked
 * @param resetsAt the next UTC midnight, when the count starts again
 */
public record QuotaDecision(boolean allowed, long limit, long used, Instant resetsAt) {

	public long remaining() {
		return Math.max(0, limit - used);
	}
}
