package dev.kiln.testing.vertex;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.kiln.testing.JsonTrees;

/** Google's error body, {@code {"error": {"code", "message", "status"}}}, with the canonical status names. */
final class Errors {

	private Errors() {
	}

	static Map<String, Object> body(int code, String message) {
		return body(code, status(code), message);
	}

	/** For the codes Google answers with more than one status, e.g. 400 {@code FAILED_PRECONDITION}. */
	static Map<String, Object> body(int code, String status, String message) {
		return JsonTrees.object("error", JsonTrees.object("code", code, "message", message, "status", status));
	}

	/**
	 * As {@link #body(int)}, with the wait in a {@code google.rpc.RetryInfo} detail, as Google's APIs
	 * send it: {@code "retryDelay"} in protobuf's JSON form of a duration ({@code "1.500s"}).
	 */
	static Map<String, Object> body(int code, Duration retryDelay) {
		String delay = BigDecimal.valueOf(retryDelay.toMillis(), 3).toPlainString() + "s";
		return JsonTrees.object("error", JsonTrees.object("code", code, "message", message(code), "status",
				status(code), "details", List.of(JsonTrees.object("@type", "type.googleapis.com/google.rpc.RetryInfo",
						"retryDelay", delay))));
	}

	/** The body Vertex answers for a fault with this code, in its words. */
	static Map<String, Object> body(int code) {
		return body(code, message(code));
	}

	static String status(int code) {
		return switch (code) {
			case 400 -> "INVALID_ARGUMENT";
			case 401 -> "UNAUTHENTICATED";
			case 403 -> "PERMISSION_DENIED";
			case 404 -> "NOT_FOUND";
			case 409 -> "ABORTED";
			case 429 -> "RESOURCE_EXHAUSTED";
			case 499 -> "CANCELLED";
			case 500 -> "INTERNAL";
			case 501 -> "NOT_IMPLEMENTED";
			case 503 -> "UNAVAILABLE";
			case 504 -> "DEADLINE_EXCEEDED";
			default -> code < 500 ? "FAILED_PRECONDITION" : "UNKNOWN";
		};
	}

	private static String message(int code) {
		return switch (code) {
			case 401 -> "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
					+ "cookie or other valid authentication credential.";
			case 403 -> "Permission denied on resource project.";
			case 429 -> "Resource exhausted. Please try again later. Please refer to "
					+ "https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.";
			case 500 -> "Internal error encountered.";
			case 503 -> "The service is currently unavailable.";
			case 504 -> "Deadline exceeded.";
			default -> "The Vertex AI emulator was told to fail with HTTP " + code + ".";
		};
	}
}
