package dev.kiln.accounts;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Kiln's access tokens, verified once per token rather than once per request: the same bearer token
 * comes with every request of a session, and an ES256 check costs more CPU than the rest of
 * authentication together. The key is the whole token, signature included, so a token that differs in
 * any byte is verified afresh; an entry is used only until the token expires; and what is checked per
 * request (revoked sessions) happens after decoding, so it is not cached. The signing keys are fixed
 * for the process's life, so a key withdrawn by a restart takes its tokens out of the cache with it.
 * At {@code capacity} tokens, expired entries are dropped; if that is not enough, a new token is not
 * kept (it is verified on each request until room frees up).
 */
final class VerifiedTokens implements ReactiveJwtDecoder {

	private final ReactiveJwtDecoder decoder;

	private final Clock clock;

	private final int capacity;

	private final Map<String, Jwt> verified = new ConcurrentHashMap<>();

	VerifiedTokens(ReactiveJwtDecoder decoder, Clock clock, int capacity) {
		this.decoder = decoder;
		this.clock = clock;
		this.capacity = capacity;
	}

	@Override
	public Mono<Jwt> decode(String token) {
		Jwt known = verified.get(token);
		if (known != null && unexpired(known, clock.instant())) {
			return Mono.just(known);
		}
		return decoder.decode(token).doOnNext(jwt -> remember(token, jwt));
	}

	private void remember(String token, Jwt jwt) {
		if (jwt.getExpiresAt() == null) {
			return;
		}
		if (verified.size() >= capacity) {
			Instant now = clock.instant();
			verified.values().removeIf(entry -> !unexpired(entry, now));
			if (verified.size() >= capacity) {
				// more live sessions than room: keep the ones cached (emptying it would only thrash)
				return;
			}
		}
		verified.put(token, jwt);
	}

	private static boolean unexpired(Jwt jwt, Instant now) {
		return jwt.getExpiresAt() != null && now.isBefore(jwt.getExpiresAt());
	}
}
