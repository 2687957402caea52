package dev.kiln.platform.ratelimit;

import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * A flood guard per client address (policy {@code address}) in front of authentication, so that
 * requests with missing, forged or guessed credentials, which authentication answers with 401 before
 * any per-user limit applies, still cost an attacker tokens: each one may reach the database (API key
 * look-ups) or an issuer's key set. Generous by design, since many users may share one address; it
 * writes headers only when it refuses. Fails open.
 */
@Component
@Order(-200)
class AddressRateLimitFilter implements WebFilter {

	static final String POLICY = "address";

	private final RateLimiter limiter;

	AddressRateLimitFilter(RateLimiter limiter, RateLimitSettings settings) {
		this.limiter = limiter;
		settings.policy(POLICY);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		if (!path.startsWith("/v1/") && !path.startsWith("/admin/")) {
			return chain.filter(exchange);
		}
		return limiter.consume(POLICY, ClientAddress.of(exchange))
			.flatMap(limit -> limit.allowed() ? chain.filter(exchange) : Mono.error(new RateLimited(limit)));
	}
}
