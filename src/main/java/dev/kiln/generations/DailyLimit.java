package dev.kiln.generations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.kiln.payments.Subscriptions;
import dev.kiln.platform.ratelimit.DailyQuota;
import dev.kiln.platform.ratelimit.QuotaDecision;
import dev.kiln.platform.web.Problems;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * The daily generation quota of the user's plan ({@code kiln.rate-limits.daily-generations.<plan>};
 * a plan without one has no daily limit). Abuse protection only, failing open with Redis: the ledger
 * pays for every generation whatever the quota says.
 */
@Component
class DailyLimit {

	private final Subscriptions subscriptions;

	private final DailyQuota quota;

	private final Clock clock;

	DailyLimit(Subscriptions subscriptions, DailyQuota quota, Clock clock) {
		this.subscriptions = subscriptions;
		this.quota = quota;
		this.clock = clock;
	}

	/**
	 * Counts a generation against the day's quota of the user's plan; {@link Exceeded} when the day's
	 * limit is reached (nothing counted then). What it returns gives the count back ({@link #giveBack}).
	 */
	Mono<Taken> take(UUID user) {
		return subscriptions.planOf(user)
			.flatMap(plan -> quota.consume(plan, user.toString())
				.map(decision -> {
					if (!decision.allowed()) {
						throw exceeded(plan, decision);
					}
					return new Taken(plan, decision);
				})
				.onErrorResume(IllegalArgumentException.class, noQuotaForPlan -> Mono.just(Taken.NOTHING)));
	}

	/** Takes back what {@link #take} counted, for a generation that did not start after all. */
	Mono<Void> giveBack(UUID user, Taken taken) {
		return quota.giveBack(taken.plan(), user.toString(), taken.decision());
	}

	/** What {@link #take} counted: nothing (a decision that counted nothing) for a plan without a daily quota. */
	record Taken(String plan, QuotaDecision decision) {

		static final Taken NOTHING = new Taken("none", new QuotaDecision(false, 0, 0, Instant.EPOCH));
	}

	/** The day's quota is spent (429). */
	static final class Exceeded extends ErrorResponseException {

		Exceeded(ProblemDetail problem) {
			super(HttpStatus.TOO_MANY_REQUESTS, problem, null);
		}
	}

	private Exceeded exceeded(String plan, QuotaDecision decision) {
		long retryAfter = Math.max(1, Duration.between(clock.instant(), decision.resetsAt()).toSeconds());
		ProblemDetail problem = Problems.of(HttpStatus.TOO_MANY_REQUESTS, "daily_quota_exceeded",
				"Your plan allows " + decision.limit() + " generations per day (UTC); more can start in " + retryAfter
						+ " seconds.");
		problem.setProperty("plan", plan);
		problem.setProperty("retry_after_seconds", retryAfter);
		Exceeded error = new Exceeded(problem);
		error.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
		error.getHeaders().set("RateLimit-Policy", "\"daily-generations\";q=" + decision.limit() + ";w=86400");
		error.getHeaders().set("RateLimit", "\"daily-generations\";r=0;t=" + retryAfter);
		return error;
	}
}
