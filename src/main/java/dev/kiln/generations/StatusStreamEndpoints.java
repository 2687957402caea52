package dev.kiln.generations;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.kiln.platform.security.KilnAuthentication;
import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.web.InvalidField;
import dev.kiln.platform.web.Problems;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;

/**
 * The two status streams, {@code GET /v1/generations/events} (all of the caller's jobs) and
 * {@code GET /v1/generations/{id}/events} (one job), as functional routes behind the same security
 * chain, filters and error rendering as every other route. Not annotated controller methods, for a
 * measured reason: WebFlux keeps a handler method's per-request invocation state (among it the method's
 * own argument-resolver cache, a 256-slot map) for as long as the response lives, about 4 KiB per
 * request, and an event stream lives for hours (docs/performance.md, "Live status streams").
 */
@Component
class StatusStreamEndpoints {

	/** The declared element type, so the JSON encoder sees what a mapped method's return type told it. */
	private static final ParameterizedTypeReference<ServerSentEvent<StatusUpdate>> EVENTS = new ParameterizedTypeReference<>() {
	};

	private final Jobs jobs;

	private final StatusStreams streams;

	private final StatusHub hub;

	private final GenerationSettings settings;

	StatusStreamEndpoints(Jobs jobs, StatusStreams streams, StatusHub hub, GenerationSettings settings) {
		this.jobs = jobs;
		this.streams = streams;
		this.hub = hub;
		this.settings = settings;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.GET("/v1/generations/events", this::allEvents)
			.GET("/v1/generations/{id}/events", this::events)
			// any other method on them: 405 naming GET, as a mapped route answers (HEAD too: an endless
			// stream has no length to report)
			.route(RequestPredicates.path("/v1/generations/events")
				.or(RequestPredicates.path("/v1/generations/{id}/events")),
					request -> Mono.error(new MethodNotAllowedException(request.method(), Set.of(HttpMethod.GET))))
			.build();
	}

	/** All of the caller's jobs: open jobs' states, then every change. Never ends by itself. */
	Mono<ServerResponse> allEvents(ServerRequest request) {
		return caller(request).flatMap(caller -> {
			acceptsEvents(request);
			String lastEventId = request.headers().firstHeader("Last-Event-ID");
			Long after = lastEventId == null ? null : lastEventId(lastEventId, Long.MAX_VALUE);
			return stream(caller, streams.ofUser(caller.userId(), after));
		});
	}

	/**
	 * One job: its state, then each change; it ends after the terminal one. {@code Last-Event-ID} (a
	 * version this stream sent) resumes after that event. Another user's job is a 404, never a 403.
	 */
	Mono<ServerResponse> events(ServerRequest request) {
		return caller(request).flatMap(caller -> {
			acceptsEvents(request);
			UUID id = jobId(request.pathVariable("id"));
			String lastEventId = request.headers().firstHeader("Last-Event-ID");
			Integer after = lastEventId == null ? null : (int) lastEventId(lastEventId, Integer.MAX_VALUE);
			return jobs.findOwned(id, caller.userId())
				.switchIfEmpty(Mono.error(() -> new GenerationNotFound(id)))
				.flatMap(job -> stream(caller, streams.ofJob(caller.userId(), id, after)));
		});
	}

	private Mono<ServerResponse> stream(KilnPrincipal caller, Flux<ServerSentEvent<StatusUpdate>> events) {
		if (!hub.hasRoom(caller.userId())) {
			return Mono.error(new TooManyStreams(settings.streams().maxPerUser()));
		}
		return ServerResponse.ok()
			.contentType(MediaType.TEXT_EVENT_STREAM)
			.headers(EventStreamHeaders::passOnAtOnce)
			.body(events, EVENTS);
	}

	/** A client that accepts neither events nor anything at all gets a 406, as a mapped route's would. */
	private static void acceptsEvents(ServerRequest request) {
		List<MediaType> accepted = request.headers().accept();
		if (!accepted.isEmpty() && accepted.stream().noneMatch(type -> type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM))) {
			throw new NotAcceptableStatusException(List.of(MediaType.TEXT_EVENT_STREAM));
		}
	}

	/** The security chain lets only authenticated callers with {@code generations:read} this far. */
	private static Mono<KilnPrincipal> caller(ServerRequest request) {
		return request.principal()
			.cast(KilnAuthentication.class)
			.map(KilnAuthentication::getPrincipal)
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("a status stream reached without a caller")));
	}

	private static UUID jobId(String value) {
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException notAUuid) {
			throw new ErrorResponseException(HttpStatus.BAD_REQUEST, Problems.invalid(HttpStatus.BAD_REQUEST,
					"invalid_parameter", List.of(Problems.FieldProblem.of("id", "must be a UUID"))), null);
		}
	}

	private static long lastEventId(String value, long max) {
		try {
			long id = Long.parseLong(value.strip());
			if (id >= 0 && id <= max) {
				return id;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw new InvalidField("Last-Event-ID", "must be the id of an event this stream sent (a whole number)");
	}
}
