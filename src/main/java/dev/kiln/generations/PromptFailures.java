package dev.kiln.generations;

import dev.kiln.platform.web.Problems;
import dev.kiln.providers.vertex.PromptRejected;
import dev.kiln.providers.vertex.SafetyBlocked;
import dev.kiln.providers.vertex.StreamBroken;
import dev.kiln.providers.vertex.VertexUnavailable;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** How a failed image or text generation is recorded on its job and shown to its client. */
final class PromptFailures {

	private PromptFailures() {
	}

	static Failure describe(Throwable failure) {
		return switch (failure) {
			case SafetyBlocked blocked -> new Failure("safety_blocked", "The provider's safety filters blocked this request ("
					+ blocked.reason() + "); no credits were taken.", 422, false);
			case PromptRejected rejected -> new Failure("prompt_rejected", "The provider refused this request as invalid ("
					+ rejected.reason() + "); no credits were taken.", 422, false);
			case VertexUnavailable unavailable -> new Failure("provider_unavailable",
					"No model could answer just now; no credits were taken. Try again shortly.", 503, false);
			case StreamBroken broken -> new Failure("stream_broken",
					"The answer was cut off before it ended; no credits were taken.", 502, false);
			default -> new Failure("internal_error", "The generation failed; no credits were taken.", 500, true);
		};
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
		return new ErrorResponseException(status, Problems.of(status, described.code(), described.detail()), failure);
	}

	/** {@code unexpected}: a bug or an outage of our own, logged with its stack trace and shown as a 500. */
	record Failure(String code, String detail, int status, boolean unexpected) {
	}
}
