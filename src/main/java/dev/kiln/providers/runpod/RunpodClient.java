package dev.kiln.providers.runpod;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * RunPod Serverless's job API, non-blocking (Reactor Netty). Each call is guarded per endpoint, outermost
 * first: retry with jittered exponential backoff for transient failures only, a circuit breaker, and a
 * timeout. Failures come out as {@link RunpodUnavailable} (try again later: the circuit may be open) or
 * {@link RunpodRefused} (never retried).
 */
@Component
public class RunpodClient {

	private final WebClient web;

	private final RunpodSettings settings;

	private final CircuitBreakerRegistry circuits;

	private final RetryRegistry retries;

	RunpodClient(WebClient.Builder builder, RunpodSettings settings, CircuitBreakerRegistry circuits,
			RetryRegistry retries) {
		this.web = builder.baseUrl(settings.apiBase().toString())
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + settings.apiKey())
			.build();
		this.settings = settings;
		this.circuits = circuits;
		this.retries = retries;
	}

	/**
	 * Queues a job: {@code POST /v2/{endpoint}/run}. RunPod runs it within {@code executionTimeout}, keeps
	 * it queued at most {@code ttl}, and posts its final status to {@code webhook}.
	 */
	public Mono<RunpodStatus> run(String endpoint, Map<String, Object> input, URI webhook, Duration executionTimeout,
			Duration ttl) {
		Map<String, Object> body = Map.of("input", input, "webhook", webhook.toString(), "policy",
				Map.of("executionTimeout", executionTimeout.toMillis(), "ttl", ttl.toMillis()));
		return guarded(endpoint, web.post().uri("/v2/{endpoint}/run", endpoint)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.retrieve()
			.bodyToMono(JsonNode.class)
			.map(RunpodStatus::read));
	}

	/** The job's status, or empty when RunPod no longer knows it (results are kept about 30 minutes). */
	public Mono<RunpodStatus> status(String endpoint, String jobId) {
		return guarded(endpoint, web.get().uri("/v2/{endpoint}/status/{job}", endpoint, jobId)
			.retrieve()
			.bodyToMono(JsonNode.class)
			.map(RunpodStatus::read)
			.onErrorResume(WebClientResponseException.NotFound.class, ex -> Mono.empty()));
	}

	/** Cancels the job; empty when RunPod no longer knows it. */
	public Mono<RunpodStatus> cancel(String endpoint, String jobId) {
		return guarded(endpoint, web.post().uri("/v2/{endpoint}/cancel/{job}", endpoint, jobId)
			.retrieve()
			.bodyToMono(JsonNode.class)
			.map(RunpodStatus::read)
			.onErrorResume(WebClientResponseException.NotFound.class, ex -> Mono.empty()));
	}

	/** The endpoint's circuit breaker (its state is also exported as metrics). */
	public CircuitBreaker circuit(String endpoint) {
		return circuits.circuitBreaker("runpod-" + endpoint, "runpod");
	}

	private <T> Mono<T> guarded(String endpoint, Mono<T> call) {
		Retry retry = retries.retry("runpod-" + endpoint, "runpod");
		return call.timeout(settings.timeout())
			.onErrorMap(RunpodClient::classify)
			.transformDeferred(CircuitBreakerOperator.of(circuit(endpoint)))
			.transformDeferred(RetryOperator.of(retry))
			.onErrorMap(CallNotPermittedException.class,
					ex -> new RunpodUnavailable("RunPod endpoint " + endpoint + " is failing; its circuit is open", ex));
	}

	private static Throwable classify(Throwable error) {
		if (error instanceof WebClientResponseException response) {
			HttpStatusCode status = response.getStatusCode();
			if (status.is5xxServerError() || status.value() == 429) {
				return new RunpodUnavailable("RunPod answered " + status.value(), error);
			}
			return new RunpodRefused(status.value(), "RunPod refused the call with " + status.value() + ": "
					+ response.getResponseBodyAsString());
		}
		if (error instanceof TimeoutException || error instanceof WebClientRequestException) {
			return new RunpodUnavailable("RunPod did not answer: " + error.getMessage(), error);
		}
		return error;
	}
}
