package dev.kiln.generations;

import dev.kiln.messaging.Topics;
import io.micrometer.observation.ObservationPredicate;
import org.apache.kafka.common.TopicPartition;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

@Configuration(proxyBeanMethods = false)
class GenerationsConfiguration {

	/**
	 * A record whose handling failed goes to its topic's dead-letter topic (with the error in headers):
	 * at once for a poison message or a job RunPod refused, after a few retries for anything unexpected
	 * (the job then stays queued and expires at its deadline, its hold voided).
	 */
	@Bean
	CommonErrorHandler kafkaErrorHandler(KafkaTemplate<String, String> kafka, Topics topics) {
		DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(kafka,
				(record, error) -> new TopicPartition(topics.deadLetters(Topics.GENERATION_REQUESTED), -1));
		ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
		backOff.setMaxAttempts(4);
		DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
		handler.addNotRetryableExceptions(VideoDispatcher.PoisonMessage.class, DispatchRefused.class);
		return handler;
	}

	/** Subscribes to the job status channel; destroyed (its connection closed) with the context. */
	@Bean
	ReactiveRedisMessageListenerContainer statusListeners(ReactiveRedisConnectionFactory redis) {
		return new ReactiveRedisMessageListenerContainer(redis);
	}

	/**
	 * Event streams are not timed as HTTP requests: a stream lasts as long as its client stays, so its
	 * "latency" would only skew {@code http.server.requests}, and its open observation would be kept for
	 * the stream's life. {@code kiln.streams.open} counts them instead.
	 */
	@Bean
	ObservationPredicate streamsAreNotTimedAsRequests() {
		return (name, context) -> !(context instanceof ServerRequestObservationContext request
				&& StreamResponses.isStream(request.getCarrier().getPath().value()));
	}
}
