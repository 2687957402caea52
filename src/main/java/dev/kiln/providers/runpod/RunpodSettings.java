package dev.kiln.providers.runpod;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * RunPod Serverless. The API key comes from the environment ({@code KILN_RUNPOD_APIKEY}) and is sent
 * only to {@code apiBase}.
 *
 * @param timeout for one HTTP call
 * @param retry transient failures (5xx, 429, timeouts, refused connections) of one call
 * @param circuit opens on a failure rate over the last calls, then lets a few through after a wait
 */
@ConfigurationProperties("kiln.runpod")
@Validated
public record RunpodSettings(@NotNull URI apiBase, @NotBlank String apiKey, @NotNull Duration timeout,
		@Valid @NotNull Retry retry, @Valid @NotNull Circuit circuit) {

	public record Retry(@Min(1) @Max(10) int maxAttempts, @NotNull Duration firstBackoff) {
	}

	public record Circuit(@Min(1) @Max(100) int failureRatePercent, @Min(2) int window, @Min(1) int minimumCalls,
			@NotNull Duration openFor) {
	}

	@Override
	public String toString() {
		return "RunpodSettings[apiBase=" + apiBase + ", apiKey=<redacted>, timeout=" + timeout + ", retry=" + retry
				+ ", circuit=" + circuit + "]";
	}
}
