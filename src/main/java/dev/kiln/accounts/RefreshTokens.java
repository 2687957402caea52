package dev.kiln.accounts;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Opaque refresh tokens ({@code kiln_rt_…}), stored only as SHA-256 hashes. A token is good for one
 * use: refreshing rotates it within its family; presenting a rotated token again means it leaked, and
 * revokes the whole family (RFC 9700 §4.14.2). The family id is the session id in access tokens.
 */
@Component
class RefreshTokens {

	static final String PREFIX = "kiln_rt_";

	private final DatabaseClient db;

	private final AuthSettings settings;

	private final Clock clock;

	RefreshTokens(DatabaseClient db, AuthSettings settings, Clock clock) {
		this.db = db;
		this.settings = settings;
		this.clock = clock;
	}

	/** Starts a new session (family) for the user. */
	Mono<Issued> start(UUID user) {
		UUID family = Secrets.uuid();
		String token = newToken();
		return db.sql("insert into refresh_tokens (id, family_id, user_id, token_hash, expires_at) values (:id, :family, :user, :hash, :expires)")
			.bind("id", family)
			.bind("family", family)
			.bind("user", user)
			.bind("hash", Secrets.sha256(token))
			.bind("expires", expiry())
			.then()
			.thenReturn(new Issued(token, user, family));
	}

	/** Rotates {@code presented}; the outcome says whether it was good, unknown, expired, revoked or reused. */
	Mono<Rotation> rotate(String presented) {
		String token = newToken();
		return db.sql("select * from refresh_rotate(:hash, :id, :new_hash, :now, :expires)")
			.bind("hash", Secrets.sha256(presented))
			.bind("id", Secrets.uuid())
			.bind("new_hash", Secrets.sha256(token))
			.bind("now", clock.instant())
			.bind("expires", expiry())
			.map(row -> new Rotation(Rotation.Outcome.valueOf(row.get("outcome", String.class).toUpperCase()),
					row.get("outcome", String.class).equals("rotated")
							? new Issued(token, row.get("user_id", UUID.class), row.get("family_id", UUID.class))
							: null,
					row.get("family_id", UUID.class)))
			.one();
	}

	/** Revokes the family of {@code presented}; returns it, or empty when the token is unknown. */
	Mono<UUID> revokeFamilyOf(String presented) {
		return db.sql("""
				update refresh_tokens set status = 'revoked'
				 where family_id = (select family_id from refresh_tokens where token_hash = :hash)
				   and status <> 'revoked'
				returning family_id""")
			.bind("hash", Secrets.sha256(presented))
			.map(row -> row.get("family_id", UUID.class))
			.all()
			.next()
			.switchIfEmpty(db.sql("select family_id from refresh_tokens where token_hash = :hash")
				.bind("hash", Secrets.sha256(presented))
				.map(row -> row.get("family_id", UUID.class))
				.one());
	}

	Mono<Void> revokeFamily(UUID family) {
		return db.sql("update refresh_tokens set status = 'revoked' where family_id = :family and status <> 'revoked'")
			.bind("family", family)
			.then();
	}

	private Instant expiry() {
		return clock.instant().plus(settings.refreshTokenTtl());
	}

	private static String newToken() {
		return PREFIX + Secrets.randomToken(32);
	}

	record Issued(String token, UUID user, UUID family) {

		@Override
		public String toString() {
			return "Issued[user=" + user + ", family=" + family + "]";
		}
	}

	record Rotation(Outcome outcome, @Nullable Issued next, @Nullable UUID family) {

		enum Outcome {
			ROTATED, UNKNOWN, EXPIRED, REVOKED, REUSED
		}
	}
}
