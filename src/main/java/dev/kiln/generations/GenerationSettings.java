package dev.kiln.generations;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Generations.
 *
 * @param callbackBaseUrl how RunPod's workers reach Kiln (webhooks, progress); the local server when unset
 * @param callbackSecret base64 of 32+ random bytes: signs each job's webhook token
 *     ({@code KILN_GENERATIONS_CALLBACKSECRET})
 * @param video the video product
 * @param streams live job status over Server-Sent Events
 */
@ConfigurationProperties("kiln.generations")
@Validated
record GenerationSettings(@Nullable URI callbackBaseUrl, @NotBlank String callbackSecret, @Valid @NotNull Video video,
		@Valid @NotNull Streams streams) {

	/**
	 * @param channel the Redis pub/sub channel that carries job events to every replica
	 * @param heartbeat how often an idle stream gets a comment, so proxies and clients know it is alive
	 * @param retry the reconnection delay suggested to browsers
	 * @param maxPerUser open streams per user on one replica
	 * @param sweepInterval how often a replica checks PostgreSQL for events its streams may have missed
	 *     (a lost pub/sub message); the longest a missed event can be late
	 */
	record Streams(@NotBlank String channel, @NotNull Duration heartbeat, @NotNull Duration retry,
			@Min(1) @Max(1000) int maxPerUser, @NotNull Duration sweepInterval) {
	}

	/**
	 * @param endpointId the RunPod Serverless endpoint running the ComfyUI worker image
	 * @param maxInFlight jobs at RunPod at once (dispatched or running), over all replicas
	 * @param deadline from admission: a job not finished by then is cancelled and expired
	 * @param executionTimeout RunPod's limit on one run
	 * @param silence how long a job at RunPod may be silent before the reconciler asks for its status
	 * @param dispatchGrace how long a job may stay dispatched without RunPod's job id before it is re-queued
	 * @param resultUrlsValidFor how long the download links in a job's answer work
	 * @param resultRetention how long results are kept (a bucket lifecycle rule deletes them after it)
	 * @param reconcileInterval how often the reconciler runs
	 */
	record Video(@NotBlank String endpointId, @Min(1) @Max(1000) int maxInFlight, @NotNull Duration deadline,
			@NotNull Duration executionTimeout, @NotNull Duration silence, @NotNull Duration dispatchGrace,
			@NotNull Duration resultUrlsValidFor, @NotNull Duration resultRetention, @NotNull Duration reconcileInterval,
			@NotEmpty List<@Valid Workflow> workflows) {
	}

	/**
	 * A server-side ComfyUI workflow (users never send workflow JSON) and what may be asked of it.
	 * Price: {@code ceil(duration × creditsPerMinute × resolution multiplier / 60)}.
	 *
	 * @param template a ComfyUI API-format graph on the classpath whose string values {@code {{prompt}}},
	 *     {@code {{seed}}}, {@code {{width}}}, {@code {{height}}}, {@code {{fps}}}, {@code {{frames}}},
	 *     {@code {{duration_seconds}}} are replaced by the request's values
	 */
	record Workflow(@NotBlank @Pattern(regexp = "[a-z0-9-]{1,40}") String name, @NotBlank String template,
			@Min(1) int minSeconds, @Min(1) @Max(600) int maxSeconds, @NotEmpty Map<String, @Valid Resolution> resolutions,
			@NotEmpty @Size(max = 8) List<@Positive Integer> fps, @Positive long creditsPerMinute) {
	}

	record Resolution(@Positive int width, @Positive int height, @Positive int priceMultiplier) {
	}

	@Override
	public String toString() {
		return "GenerationSettings[callbackBaseUrl=" + callbackBaseUrl + ", callbackSecret=<redacted>, video=" + video
				+ ", streams=" + streams + "]";
	}
}
