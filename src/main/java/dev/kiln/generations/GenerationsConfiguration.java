package dev.kiln.generations;

import dev.kiln.messaging.Topics;
import io.micrometer.observation.ObservationPredicate;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.apache.kafka.common.TopicPartition;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

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

	/**
	 * The status streams' routes ({@link StatusStreamEndpoints} says why they are not controller methods),
	 * described for the API document by hand: springdoc cannot read a functional route's parameters.
	 */
	@Bean
	@RouterOperations({
			@RouterOperation(path = "/v1/generations/events", method = RequestMethod.GET,
					produces = MediaType.TEXT_EVENT_STREAM_VALUE, operation = @Operation(operationId = "allEvents",
							summary = "All of the caller's jobs as Server-Sent Events: open jobs' states, then every change",
							parameters = @Parameter(in = ParameterIn.HEADER, name = "Last-Event-ID",
									description = "the id of the last event received; the stream resumes after it"),
							responses = @ApiResponse(responseCode = "200", content = @Content(
									mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
									schema = @Schema(implementation = StatusUpdate.class))))),
			@RouterOperation(path = "/v1/generations/{id}/events", method = RequestMethod.GET,
					produces = MediaType.TEXT_EVENT_STREAM_VALUE, operation = @Operation(operationId = "events",
							summary = "One job as Server-Sent Events: its state, then each change; ends after the terminal one",
							parameters = { @Parameter(in = ParameterIn.PATH, name = "id", required = true,
									schema = @Schema(type = "string", format = "uuid")),
									@Parameter(in = ParameterIn.HEADER, name = "Last-Event-ID",
											description = "the id of the last event received; the stream resumes after it") },
							responses = @ApiResponse(responseCode = "200", content = @Content(
									mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
									schema = @Schema(implementation = StatusUpdate.class))))) })
	RouterFunction<ServerResponse> statusStreamRoutes(StatusStreamEndpoints endpoints) {
		return endpoints.routes();
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
