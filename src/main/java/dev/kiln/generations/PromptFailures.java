package dev.kiln.generations;

import java.time.Duration;

import dev.kiln.platform.web.Problems;
import dev.kiln.providers.vertex.PromptRejected;
import dev.kiln.providers.vertex.SafetyBlocked;
import dev.kiln.providers.vertex.StreamBroken;
import dev.kiln.providers.vertex.VertexUnavailable;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** How a failed image or text generation is recorded on its job and shown to its client. */
final class PromptFailures {

	private PromptFailures() {
	}

	static Failure describe(Throwable failure) {
		return switch (failure) {
			case SafetyBlocked blocked -> new Failure("safety_blocked", "The provider's safety filters blocked this request ("
					+ blocked.reason() + "); no credits were taken.", 422, false, 0);
			case PromptRejected rejected -> new Failure("prompt_rejected", "The provider refused this request as invalid ("
					+ rejected.reason() + "); no credits were taken.", 422, false, 0);
			case VertexUnavailable unavailable -> unavailable(unavailable.retryAfter());
			case StreamBroken broken -> new Failure("stream_broken",
					"The answer was cut off before it ended; no credits were taken.", 502, false, 0);
			default -> new Failure("internal_error", "The generation failed; no credits were taken.", 500, true, 0);
		};
	}

	/**
	 * With the provider's own {@code Retry-After} passed on, in whole seconds rounded up (at least one), when
	 * it gave one. The wait is for this answer only, never in the detail: that is kept on the job.
	 */
	private static Failure unavailable(@Nullable Duration retryAfter) {
		long seconds = retryAfter == null ? 0 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
		return new Failure("provider_unavailable", "No model could answer just now; no credits were taken. Try again shortly.",
				503, false, seconds);
	}

	static Throwable problem(Throwable failure) {
		if (failure instanceof ErrorResponseException) {
			return failure;
		}
		Failure described = describe(failure);
		if (described.unexpected()) {
			return failure;
		}
		HttpStatus status = HttpStatus.valueOf(described.status());
		ProblemDetail problem = Problems.of(status, described.code(), described.detail());
		ErrorResponseException error = new ErrorResponseException(status, problem, failure);
		if (described.retryAfterSeconds() > 0) {
			problem.setProperty("retry_after_seconds", described.retryAfterSeconds());
			error.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(described.retryAfterSeconds()));
		}
		return error;
	}

	/**
	 * @param unexpected a bug or an outage of our own, logged with its stack trace and shown as a 500
	 * @param retryAfterSeconds when the client may try again, as the provider said; 0 when it did not say
	 */
	record Failure(String code, String detail, int status, boolean unexpected, long retryAfterSeconds) {
	}
}
