package dev.kiln.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;

import dev.kiln.platform.Deadlines;
import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.security.Role;
import dev.kiln.platform.security.Scope;
import dev.kiln.platform.web.Problems;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Short-lived, single-use tickets that open event streams. A ticket may only read generations, and
 * only its owner's; it is stored in Redis as a SHA-256 digest for {@code ttl}, and redeeming it deletes
 * it in the same command ({@code GETDEL}), so a ticket leaked through a URL (a log, a proxy, the
 * browser's history) is useless once used or a minute old. Fails closed: without Redis no ticket is
 * issued or accepted (the caller gets a 503 or 401; headers still work for API clients).
 */
@Component
class StreamTickets {

	static final String PREFIX = "kiln_st_";

	private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);

	private final ReactiveStringRedisTemplate redis;

	private final Duration ttl;

	private final Clock clock;

	StreamTickets(ReactiveStringRedisTemplate redis, StreamTicketSettings settings, Clock clock) {
		this.redis = redis;
		this.ttl = settings.ttl();
		this.clock = clock;
	}

	Mono<Ticket> issue(KilnPrincipal caller) {
		String ticket = PREFIX + Secrets.randomToken(32);
		String holder = caller.userId() + " " + caller.role().code() + " " + (caller.apiKeyId() == null ? "-" : caller.apiKeyId());
		Instant expiresAt = clock.instant().plus(ttl);
		return Deadlines.within(REDIS_TIMEOUT, redis.opsForValue().set(key(ticket), holder, ttl))
			.onErrorMap(ex -> new TicketsUnavailable(ex))
			.map(stored -> new Ticket(ticket, expiresAt, ttl.toSeconds()));
	}

	/** The ticket's holder, allowed to read generations only; empty when the ticket is unknown, used or expired. */
	Mono<KilnPrincipal> redeem(String ticket) {
		if (!ticket.startsWith(PREFIX) || ticket.length() > 100) {
			return Mono.empty();
		}
		return Deadlines.within(REDIS_TIMEOUT, redis.opsForValue().getAndDelete(key(ticket))).map(holder -> {
			String[] parts = holder.split(" ");
			return new KilnPrincipal(UUID.fromString(parts[0]), Role.fromCode(parts[1]), Set.of(Scope.GENERATIONS_READ),
					KilnPrincipal.Method.STREAM_TICKET, null, parts[2].equals("-") ? null : parts[2]);
		});
	}

	private static String key(String ticket) {
		return "kiln:stream-ticket:" + HexFormat.of().formatHex(Secrets.sha256(ticket));
	}

	record Ticket(String ticket, Instant expiresAt, long expiresIn) {
	}

	/** 503: Redis did not answer, so no ticket can be kept; an API client can stream with its header instead. */
	static final class TicketsUnavailable extends ErrorResponseException {

		TicketsUnavailable(@Nullable Throwable cause) {
			super(HttpStatus.SERVICE_UNAVAILABLE, Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "temporarily_unavailable",
					"Stream tickets cannot be issued right now; try again shortly."), cause);
		}
	}
}
