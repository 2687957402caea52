package dev.kiln.platform.ratelimit;

import java.security.Principal;

import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Limits the API: {@code /v1/auth/**} per client IP under {@value #AUTH_IP}, the rest of {@code /v1/**}
 * under {@value #API} per principal (a user or an API key), or per client IP for anonymous requests.
 * Every limited response carries the rate-limit headers; a refusal becomes {@link RateLimited}. Other
 * paths (actuator, API docs, webhooks, admin) are not limited here.
 * <p>
 * Order 0 puts it after Spring Security's filter chain (-100), so the principal is known.
 */
@Component
@Order(0)
class ApiRateLimitFilter implements WebFilter {

	static final String API = "api";

	static final String AUTH_IP = "auth-ip";

	private final RateLimiter limiter;

	ApiRateLimitFilter(RateLimiter limiter, RateLimitSettings settings) {
		this.limiter = limiter;
		// fail at start-up, not on every request, when a policy this filter needs is not configured
		settings.policy(API);
		settings.policy(AUTH_IP);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		if (isUnder(path, "/v1/auth")) {
			return limit(AUTH_IP, ClientAddress.of(exchange), exchange, chain);
		}
		if (isUnder(path, "/v1")) {
			return exchange.getPrincipal()
				.filter(ApiRateLimitFilter::identifies)
				.mapNotNull(Principal::getName)
				.filter(name -> !name.isBlank())
				.switchIfEmpty(Mono.fromSupplier(() -> ClientAddress.of(exchange)))
				.flatMap(subject -> limit(API, subject, exchange, chain));
		}
		return chain.filter(exchange);
	}

	private Mono<Void> limit(String policy, String subject, ServerWebExchange exchange, WebFilterChain chain) {
		return limiter.consume(policy, subject).flatMap(limit -> {
			if (!limit.allowed()) {
				return Mono.error(new RateLimited(limit));
			}
			limit.writeTo(exchange.getResponse().getHeaders());
			return chain.filter(exchange);
		});
	}

	private static boolean isUnder(String path, String prefix) {
		return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
	}

	/** An anonymous principal names everyone at once: such requests are limited per IP instead. */
	private static boolean identifies(Principal principal) {
		if (principal instanceof AnonymousAuthenticationToken) {
			return false;
		}
		return !(principal instanceof Authentication authentication) || authentication.isAuthenticated();
	}
}
