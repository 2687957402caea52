package dev.kiln.providers.runpod;

import tools.jackson.databind.JsonNode;

import org.jspecify.annotations.Nullable;

/**
 * A job as RunPod reports it, from {@code /run}, {@code /status}, {@code /cancel} or a webhook:
 * {@code IN_QUEUE}, {@code IN_PROGRESS}, {@code COMPLETED}, {@code FAILED}, {@code CANCELLED} or
 * {@code TIMED_OUT}. {@code output} is what the worker's handler returned.
 */
public record RunpodStatus(String id, String status, @Nullable JsonNode output, @Nullable String error,
		@Nullable Long delayTime, @Nullable Long executionTime) {

	public boolean isCompleted() {
		return "COMPLETED".equals(status);
	}

	/** Ended without a result: FAILED, CANCELLED or TIMED_OUT. */
	public boolean isUnsuccessful() {
		return "FAILED".equals(status) || "CANCELLED".equals(status) || "TIMED_OUT".equals(status);
	}

	public boolean isActive() {
		return "IN_QUEUE".equals(status) || "IN_PROGRESS".equals(status);
	}

	public static RunpodStatus read(JsonNode json) {
		String error = json.path("error").isString() ? json.path("error").asString()
				: json.has("error") && !json.path("error").isNull() ? json.path("error").toString() : null;
		return new RunpodStatus(json.path("id").asString(""), json.path("status").asString(""),
				json.has("output") && !json.path("output").isNull() ? json.path("output") : null, error,
				json.path("delayTime").isNumber() ? json.path("delayTime").asLong() : null,
				json.path("executionTime").isNumber() ? json.path("executionTime").asLong() : null);
	}
}
