package dev.kiln.accounts;

import java.util.HexFormat;

import dev.kiln.platform.ratelimit.RateLimited;
import dev.kiln.platform.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Login attempts per account (policy {@code login-account}), on top of the per-IP limit on every auth
 * endpoint. Keyed by the email's blind index, so unknown emails are throttled exactly like known ones
 * and the limit reveals nothing. The policy fails closed: it guards against password guessing.
 */
@Component
class LoginThrottle {

	private final RateLimiter limiter;

	LoginThrottle(RateLimiter limiter) {
		this.limiter = limiter;
	}

	Mono<Void> check(byte[] emailIndex) {
		return limiter.consume("login-account", HexFormat.of().formatHex(emailIndex, 0, 16))
			.flatMap(limit -> limit.allowed() ? Mono.<Void>empty() : Mono.error(new RateLimited(limit)));
	}
}
