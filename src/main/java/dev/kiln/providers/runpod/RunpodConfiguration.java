package dev.kiln.providers.runpod;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Resilience4j registries with RunPod's configuration under the name {@code runpod}. */
@Configuration(proxyBeanMethods = false)
class RunpodConfiguration {

	@Bean
	CircuitBreakerRegistry circuitBreakerRegistry(RunpodSettings settings, MeterRegistry meters) {
		RunpodSettings.Circuit circuit = settings.circuit();
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
		registry.addConfiguration("runpod", CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(circuit.window())
			.minimumNumberOfCalls(circuit.minimumCalls())
			.failureRateThreshold(circuit.failureRatePercent())
			.waitDurationInOpenState(circuit.openFor())
			.permittedNumberOfCallsInHalfOpenState(2)
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			// a refused request says nothing about RunPod's health
			.recordException(error -> error instanceof RunpodUnavailable)
			.build());
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
		return registry;
	}

	@Bean
	RetryRegistry retryRegistry(RunpodSettings settings, MeterRegistry meters) {
		RetryRegistry registry = RetryRegistry.ofDefaults();
		registry.addConfiguration("runpod", RetryConfig.custom()
			.maxAttempts(settings.retry().maxAttempts())
			.intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.retry().firstBackoff(), 2.0, 0.5,
					Duration.ofSeconds(10)))
			.retryOnException(error -> error instanceof RunpodUnavailable)
			.build());
		TaggedRetryMetrics.ofRetryRegistry(registry).bindTo(meters);
		return registry;
	}
}
