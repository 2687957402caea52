package dev.kiln.platform.web;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request an id: echoed in {@code X-Request-Id}, put in problem details, and carried in
 * the Reactor context, from which context propagation copies it into the logging MDC on whichever
 * thread handles the request next.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter implements WebFilter {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String id = RequestIds.assign(exchange);
		exchange.getResponse().getHeaders().set(RequestIds.HEADER, id);
		return chain.filter(exchange).contextWrite(Context.of(RequestIds.KEY, id));
	}
}
