package dev.kiln.accounts;

import java.time.Duration;
import java.util.UUID;

import dev.kiln.platform.Deadlines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Sessions ended before their access tokens expire (logout, refresh-token reuse). Kept in Redis for one
 * access-token lifetime, checked on every request carrying a Kiln access token.
 * Fails open: when Redis is unreachable a revoked session's access token keeps working until it
 * expires (at most the access-token TTL); the refresh tokens, in PostgreSQL, stay revoked.
 */
@Component
class RevokedSessions {

	private static final Logger log = LoggerFactory.getLogger(RevokedSessions.class);

	private static final Duration REDIS_TIMEOUT = Duration.ofMillis(500);

	private final ReactiveStringRedisTemplate redis;

	private final AuthSettings settings;

	RevokedSessions(ReactiveStringRedisTemplate redis, AuthSettings settings) {
		this.redis = redis;
		this.settings = settings;
	}

	Mono<Void> revoke(UUID session) {
		return Deadlines.within(REDIS_TIMEOUT, redis.opsForValue().set(key(session), "revoked", ttl()))
			.onErrorResume(ex -> {
				log.warn("could not record revoked session {} in Redis; its access tokens live until they expire", session);
				return Mono.just(false);
			})
			.then();
	}

	Mono<Boolean> isRevoked(UUID session) {
		return Deadlines.within(REDIS_TIMEOUT, redis.hasKey(key(session))).onErrorResume(ex -> {
			log.warn("Redis unreachable while checking session revocation; accepting the token (fail open)");
			return Mono.just(false);
		});
	}

	/** As long as any access token of the session can still be accepted, clock skew included. */
	private Duration ttl() {
		return settings.accessTokenTtl().plus(AccessTokens.CLOCK_SKEW).plusMinutes(1);
	}

	private static String key(UUID session) {
		return "kiln:revoked-session:" + session;
	}
}
