package dev.kiln.platform.web;

import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.view.ViewResolver;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * The last word on any error: anything not already rendered (a filter's error, an unexpected
 * exception) becomes problem+json. Unexpected exceptions are logged with their stack trace and
 * answered with a 500 that says nothing about the internals. Runs before Boot's own error handler.
 */
@Component
@Order(-2)
class ProblemWebExceptionHandler implements WebExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemWebExceptionHandler.class);

	private final ServerResponse.Context context;

	ProblemWebExceptionHandler(ServerCodecConfigurer codecs) {
		List<HttpMessageWriter<?>> writers = codecs.getWriters();
		this.context = new ServerResponse.Context() {
			@Override
			public List<HttpMessageWriter<?>> messageWriters() {
				return writers;
			}

			@Override
			public List<ViewResolver> viewResolvers() {
				return List.of();
			}
		};
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(ex);
		}
		ProblemDetail problem;
		// Exception handlers run outside the request's Reactor context, so the MDC is set by hand here.
		try (MDC.MDCCloseable ignored = MDC.putCloseable(RequestIds.KEY, RequestIds.of(exchange))) {
			problem = Problems.complete(problemFor(ex, exchange), exchange);
		}
		return ServerResponse.status(problem.getStatus())
			.headers(headers -> {
				if (ex instanceof ErrorResponse response) {
					headers.addAll(response.getHeaders());
				}
			})
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyValue(problem)
			.flatMap(response -> response.writeTo(exchange, context));
	}

	private static ProblemDetail problemFor(Throwable ex, ServerWebExchange exchange) {
		if (ex instanceof ErrorResponse response) {
			log.debug("{} {} -> {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
					response.getStatusCode(), ex);
			return response.updateAndGetBody(null, Locale.ROOT);
		}
		log.error("unexpected error on {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
		return Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
				"Something went wrong on our side. Quote the request id when you report it.");
	}
}
