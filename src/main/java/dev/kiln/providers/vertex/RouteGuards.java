package dev.kiln.providers.vertex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Resilience per route (model and location), outermost first: retry (429, 500, 503, I/O, timeouts;
 * exponential backoff with jitter), circuit breaker, bulkhead, timeout. Then fallback along a chain: a
 * route that still fails, has its circuit open or its bulkhead full hands over to the next; a refused
 * prompt, a safety block or a stream broken after its first chunk never does. The registries are this
 * package's own, so RunPod's configuration and Vertex's never mix.
 */
@Component
class RouteGuards {

	private static final Logger log = LoggerFactory.getLogger(RouteGuards.class);

	private final CircuitBreakerRegistry circuits;

	private final RetryRegistry retries;

	private final BulkheadRegistry bulkheads;

	private final Duration timeout;

	RouteGuards(VertexSettings settings, MeterRegistry meters) {
		VertexSettings.Circuit circuit = settings.circuit();
		this.circuits = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(circuit.window())
			.minimumNumberOfCalls(circuit.minimumCalls())
			.failureRateThreshold(circuit.failureRatePercent())
			.waitDurationInOpenState(circuit.openFor())
			.permittedNumberOfCallsInHalfOpenState(2)
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			// a refused or unsafe prompt says nothing about the route's health
			.recordException(error -> error instanceof RouteFailure || error instanceof StreamBroken)
			.build());
		VertexSettings.Retry retry = settings.retry();
		IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(retry.firstBackoff(), 2.0, 0.5,
				retry.maxBackoff());
		this.retries = RetryRegistry.of(RetryConfig.custom()
			.maxAttempts(retry.maxAttempts())
			// Vertex's Retry-After is a floor under the jittered backoff, never a reason to come back sooner
			.intervalBiFunction((Integer attempt, Either<Throwable, Object> outcome) -> Math
				.max(backoff.apply(attempt), outcome.isLeft() ? millis(retryAfter(outcome.getLeft())) : 0))
			// a wait longer than max-retry-after is better spent on the next route of the chain
			.retryOnException(error -> error instanceof RouteFailure failure && failure.retryable()
					&& !longer(failure.retryAfter(), retry.maxRetryAfter()))
			.build());
		this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
			.maxConcurrentCalls(settings.bulkhead().maxConcurrent())
			.maxWaitDuration(Duration.ZERO) // never park a thread: a full route hands over at once
			.build());
		this.timeout = settings.timeout();
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(circuits).bindTo(meters);
		TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
		TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
	}

	/** The route's circuit breaker, named {@code vertex-<model>@<location>} in metrics. */
	CircuitBreaker circuit(Route route) {
		return circuits.circuitBreaker("vertex-" + route);
	}

	/** The first answer along the chain; {@link VertexUnavailable} when every route failed. */
	<T> Mono<T> firstAvailable(List<Route> chain, Function<Route, Mono<T>> call) {
		return attempt(chain, 0, List.of(), null, null,
				route -> guard(route, Mono.defer(() -> call.apply(route))).flux())
			.next();
	}

	/**
	 * The first stream along the chain. A route may be left only before its first element: after that a
	 * failure is {@link StreamBroken}, never a fallback or a retry that would repeat text.
	 */
	<T> Flux<T> firstAvailableStream(List<Route> chain, Function<Route, Flux<T>> call) {
		return attempt(chain, 0, List.of(), null, null, route -> guard(route, call));
	}

	private <T> Flux<T> attempt(List<Route> chain, int index, List<String> failures, @Nullable Throwable last,
			@Nullable Duration hinted, Function<Route, Flux<T>> guarded) {
		if (index == chain.size()) {
			return Flux.error(new VertexUnavailable("No Vertex route could answer: " + String.join("; ", failures),
					hinted, last));
		}
		Route route = chain.get(index);
		return guarded.apply(route).onErrorResume(RouteGuards::handsOver, error -> {
			String why = route + ": " + reason(error);
			if (index + 1 < chain.size()) {
				log.warn("Vertex route {} failed ({}); trying {}", route, reason(error), chain.get(index + 1));
			}
			List<String> all = new ArrayList<>(failures);
			all.add(why);
			return attempt(chain, index + 1, List.copyOf(all), error, soonest(hinted, retryAfter(error)), guarded);
		});
	}

	private <T> Mono<T> guard(Route route, Mono<T> call) {
		return call.timeout(timeout)
			.onErrorMap(TimeoutException.class, error -> GenaiCalls.classify(error))
			.transformDeferred(BulkheadOperator.of(bulkhead(route)))
			.transformDeferred(CircuitBreakerOperator.of(circuit(route)))
			.transformDeferred(RetryOperator.of(retry(route)));
	}

	private <T> Flux<T> guard(Route route, Function<Route, Flux<T>> call) {
		Flux<T> once = Flux.defer(() -> {
			AtomicBoolean started = new AtomicBoolean();
			return call.apply(route)
				.timeout(timeout) // for the first element, then between two
				.doOnNext(element -> started.set(true))
				.onErrorMap(error -> started.get() ? broken(route, error)
						: error instanceof TimeoutException ? GenaiCalls.classify(error) : error);
		});
		return once.transformDeferred(BulkheadOperator.of(bulkhead(route)))
			.transformDeferred(CircuitBreakerOperator.of(circuit(route)))
			.transformDeferred(RetryOperator.of(retry(route)));
	}

	private static Throwable broken(Route route, Throwable error) {
		if (error instanceof SafetyBlocked || error instanceof StreamBroken) {
			return error;
		}
		return new StreamBroken("The stream from " + route + " broke off mid-answer: " + reason(error), error);
	}

	private static boolean handsOver(Throwable error) {
		return error instanceof RouteFailure || error instanceof CallNotPermittedException
				|| error instanceof BulkheadFullException;
	}

	private static String reason(Throwable error) {
		return switch (error) {
			case CallNotPermittedException open -> "circuit open";
			case BulkheadFullException full -> "bulkhead full";
			case TimeoutException late -> "timed out";
			default -> error.getMessage();
		};
	}

	private static @Nullable Duration retryAfter(Throwable error) {
		return error instanceof RouteFailure failure ? failure.retryAfter() : null;
	}

	private static long millis(@Nullable Duration wait) {
		return wait == null ? 0 : wait.toMillis();
	}

	private static boolean longer(@Nullable Duration wait, Duration limit) {
		return wait != null && wait.compareTo(limit) > 0;
	}

	/** The sooner of two provider hints, either of which may be absent. */
	private static @Nullable Duration soonest(@Nullable Duration one, @Nullable Duration other) {
		if (one == null || other == null) {
			return one == null ? other : one;
		}
		return one.compareTo(other) <= 0 ? one : other;
	}

	private Retry retry(Route route) {
		return retries.retry("vertex-" + route);
	}

	private Bulkhead bulkhead(Route route) {
		return bulkheads.bulkhead("vertex-" + route);
	}
}
