package dev.kiln.accounts;

import java.util.HexFormat;

import dev.kiln.platform.ratelimit.RateLimited;
import dev.kiln.platform.ratelimit.RateLimiter;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Login attempts per account and client address ({@code login-account-address}, 5 per 15 minutes) under
 * a ceiling per account ({@code login-account}), on top of the per-address limit on every auth
 * endpoint. Keying the strict limit by address too means guesses from elsewhere cannot lock the owner
 * out; the ceiling stops guessing spread over many addresses. Accounts are keyed by the email's blind
 * index, so unknown emails are throttled exactly like known ones and the limit reveals nothing. Both
 * fail closed: they guard against password guessing.
 */
@Component
class LoginThrottle {

	private final RateLimiter limiter;

	LoginThrottle(RateLimiter limiter) {
		this.limiter = limiter;
	}

	Mono<Void> check(byte[] emailIndex, String clientAddress) {
		String account = HexFormat.of().formatHex(emailIndex, 0, 16);
		return consume("login-account-address", account + ":" + clientAddress).then(consume("login-account", account));
	}

	private Mono<Void> consume(String policy, String subject) {
		return limiter.consume(policy, subject)
			.flatMap(limit -> limit.allowed() ? Mono.<Void>empty() : Mono.error(new RateLimited(limit)));
	}
}
