package dev.kiln.providers.vertex;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.kiln.providers.vertex.Route.Api;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Vertex AI (Gemini) through google-genai. Credentials are Application Default Credentials unless
 * {@code accessToken} is set (tests and local runs, against the emulator at {@code baseUrl}).
 *
 * @param location the location of a route that names none
 * @param baseUrl replaces {@code https://{location}-aiplatform.googleapis.com}; null in production
 * @param timeout for one call, and the longest silence between two chunks of a stream
 * @param streamTimeout for a whole stream, first byte to last
 * @param blockingThreads threads that may block in the SDK at once; further calls wait in a queue of
 * {@code blockingQueue}
 * @param routes ordered model/location chains per kind: the first is the primary, the rest the fallback;
 * an image route may call Imagen instead of Gemini
 * @param maxOutputTokens the cap of a request's output tokens, and the output priced into a hold
 * @param currency of every provider cost, which is in millionths of it (micros)
 */
@ConfigurationProperties("kiln.vertex")
@Validated
record VertexSettings(@NotBlank String project, @NotBlank String location, @Nullable URI baseUrl,
		@Nullable String accessToken, @NotNull Duration timeout, @NotNull Duration streamTimeout,
		@Min(1) int blockingThreads, @Min(1) int blockingQueue, @Valid @NotNull Retry retry,
		@Valid @NotNull Circuit circuit, @Valid @NotNull Bulkhead bulkhead, @Valid @NotNull Routes routes,
		@Min(1) int maxOutputTokens, @NotBlank String currency, @NotEmpty List<@Valid Price> prices,
		@Valid @NotNull Cache cache) {

	/**
	 * Retries of one route for 429, 500, 503, I/O errors and timeouts: exponential, jittered backoff, never
	 * sooner than Vertex's {@code Retry-After}; a {@code Retry-After} longer than {@code maxRetryAfter}
	 * hands the request to the next route at once instead of waiting.
	 */
	record Retry(@Min(1) @Max(10) int maxAttempts, @NotNull Duration firstBackoff, @NotNull Duration maxBackoff,
			@NotNull Duration maxRetryAfter) {
	}

	/** One circuit per route, opening on a failure rate over its last {@code window} calls. */
	record Circuit(@Min(1) @Max(100) int failureRatePercent, @Min(2) int window, @Min(1) int minimumCalls,
			@NotNull Duration openFor) {
	}

	/** Calls in flight per route; one more finds it full at once and goes to the next route. */
	record Bulkhead(@Min(1) int maxConcurrent) {
	}

	/**
	 * The chains. Refused at start-up, naming the route: Imagen in the text chain (it only draws), and
	 * the two mismatches a model's name gives away ({@code imagen-…} called as Gemini, {@code gemini-…}
	 * as Imagen), which Vertex would otherwise refuse on every call, long after start-up.
	 */
	record Routes(@NotEmpty List<@Valid RouteSetting> text, @NotEmpty List<@Valid RouteSetting> image) {

		Routes {
			for (int i = 0; text != null && i < text.size(); i++) {
				RouteSetting route = text.get(i);
				if (route.api() == Api.IMAGEN || imagen(route)) {
					throw new IllegalArgumentException("kiln.vertex.routes.text[" + i + "] (" + route.model()
							+ ") is Imagen, which only draws images: text routes are Gemini's");
				}
			}
			for (int i = 0; image != null && i < image.size(); i++) {
				requireMatchingApi("kiln.vertex.routes.image[" + i + "]", image.get(i));
			}
		}

		private static void requireMatchingApi(String key, RouteSetting route) {
			if (imagen(route) && route.api() != Api.IMAGEN) {
				throw new IllegalArgumentException(key + " (" + route.model() + ") is an Imagen model: add api: imagen");
			}
			if (route.model() != null && route.model().startsWith("gemini-") && route.api() != Api.GEMINI) {
				throw new IllegalArgumentException(key + " (" + route.model()
						+ ") is a Gemini model, which Vertex does not serve through Imagen's :predict: drop api: imagen");
			}
		}

		private static boolean imagen(RouteSetting route) {
			return route.model() != null && route.model().startsWith("imagen-");
		}
	}

	/**
	 * A model in a location; the location defaults to {@code kiln.vertex.location}.
	 *
	 * @param api how the model is called: {@code gemini} ({@code :generateContent}, the default) or
	 * {@code imagen} ({@code :predict}; image routes only)
	 */
	record RouteSetting(@NotBlank String model, @Nullable String location, @Nullable Api api) {

		RouteSetting {
			api = api == null ? Api.GEMINI : api;
		}
	}

	/**
	 * What a model costs the user (credits) and the operator (micros of {@code currency}). Integers only.
	 *
	 * @param inputCreditsPer1k credits per 1,000 input tokens
	 * @param outputCreditsPer1k credits per 1,000 output tokens
	 * @param creditsPerImage credits per image answered
	 * @param inputCostPerMillion provider cost in micros per 1,000,000 input tokens ($0.30 → 300000)
	 * @param outputCostPerMillion provider cost in micros per 1,000,000 output tokens
	 * @param costPerImage provider cost in micros per image answered
	 */
	record Price(@NotBlank String model, @PositiveOrZero long inputCreditsPer1k,
			@PositiveOrZero long outputCreditsPer1k, @PositiveOrZero long creditsPerImage,
			@PositiveOrZero long inputCostPerMillion, @PositiveOrZero long outputCostPerMillion,
			@PositiveOrZero long costPerImage) {
	}

	/**
	 * Answers of deterministic requests (temperature 0) kept in Redis for {@code ttl}; a hit costs
	 * {@code hitCredits}. Redis slower than {@code timeout} counts as a miss.
	 */
	record Cache(boolean enabled, @NotNull Duration ttl, @PositiveOrZero long hitCredits,
			@NotNull Duration timeout) {
	}

	List<Route> textRoutes() {
		return resolve(routes.text());
	}

	List<Route> imageRoutes() {
		return resolve(routes.image());
	}

	Optional<Price> price(String model) {
		return prices.stream().filter(price -> price.model().equals(model)).findFirst();
	}

	private List<Route> resolve(List<RouteSetting> chain) {
		return chain.stream()
			.map(route -> new Route(route.model(),
					route.location() == null || route.location().isBlank() ? location : route.location(), route.api()))
			.toList();
	}

	@Override
	public String toString() {
		return "VertexSettings[project=" + project + ", location=" + location + ", baseUrl=" + baseUrl
				+ ", accessToken=" + (accessToken == null ? "<none: application default credentials>" : "<redacted>")
				+ ", timeout=" + timeout + ", streamTimeout=" + streamTimeout + ", blockingThreads=" + blockingThreads
				+ ", blockingQueue=" + blockingQueue + ", retry=" + retry + ", circuit=" + circuit + ", bulkhead="
				+ bulkhead + ", routes=" + routes + ", maxOutputTokens=" + maxOutputTokens + ", currency="
				+ currency + ", prices=" + prices + ", cache=" + cache + "]";
	}
}
