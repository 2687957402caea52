package dev.kiln.platform.web;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Answers health checks ({@code /actuator/health/**}, the paths the security configuration opens) with
 * {@code Connection: close}, so a prober that keeps its connection open (Envoy's health checker does)
 * opens a new one for each check.
 * On a kept-alive connection Reactor Netty 1.3.6 can stop reading: a request answered off the event
 * loop (a health indicator's work, on a bounded thread) lets the next one arrive before the first
 * exchange ends, and if that buffered request is then answered at once (a cached health result), nothing
 * asks the socket for more and the request after it waits forever (reactor/reactor-netty#4347, #4361;
 * the fixed releases need a newer Netty than this registry serves: decision 0012). Health checks are the
 * one place Kiln was seen to hit it; a check costs one connection more.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class HealthChecksCloseTheirConnection implements WebFilter {

	private static final String HEALTH = "/actuator/health";

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		if (path.equals(HEALTH) || path.startsWith(HEALTH + "/")) {
			exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
		}
		return chain.filter(exchange);
	}
}
