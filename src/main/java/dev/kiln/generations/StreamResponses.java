package dev.kiln.generations;

import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Counts event-stream responses by status as {@code kiln.streams.responses}. Streams are left out of
 * {@code http.server.requests} ({@link GenerationsConfiguration}), so without this the streams refused
 * (401 without a valid ticket or token, 404 for another user's job, 429 over the per-user cap) would be
 * counted nowhere. Ahead of Spring Security, so that its refusals are counted too.
 */
@Component
@Order(-300)
class StreamResponses implements WebFilter {

	private final MeterRegistry meters;

	StreamResponses(MeterRegistry meters) {
		this.meters = meters;
	}

	/** The two stream routes, {@code /v1/generations/events} and {@code /v1/generations/{id}/events}. */
	static boolean isStream(String path) {
		return path.startsWith("/v1/generations/") && path.endsWith("/events");
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (isStream(exchange.getRequest().getPath().value())) {
			exchange.getResponse().beforeCommit(() -> Mono.fromRunnable(() -> {
				HttpStatusCode status = exchange.getResponse().getStatusCode();
				meters.counter("kiln.streams.responses", "status", status == null ? "200" : Integer.toString(status.value()))
					.increment();
			}));
		}
		return chain.filter(exchange);
	}
}
