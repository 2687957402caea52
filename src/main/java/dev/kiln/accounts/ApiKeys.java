package dev.kiln.accounts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.security.Role;
import dev.kiln.platform.security.Scope;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * API keys for programs. The secret is shown once, at creation; the database keeps an HMAC-SHA256 of it
 * under a server-side pepper, so a database leak alone does not reveal usable keys. Look-up is by key
 * id, comparison in constant time.
 */
@Component
class ApiKeys {

	/** Writing last-used time at most this often per key keeps authentication free of writes. */
	private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

	private final DatabaseClient db;

	private final Clock clock;

	private final SecretKeySpec pepper;

	ApiKeys(DatabaseClient db, Clock clock, AuthSettings settings) {
		this.db = db;
		this.clock = clock;
		byte[] pepperBytes;
		try {
			pepperBytes = Base64.getDecoder().decode(settings.apiKeyPepper());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("kiln.auth.api-key-pepper must be base64", ex);
		}
		if (pepperBytes.length < 32) {
			throw new IllegalStateException("kiln.auth.api-key-pepper must hold at least 32 bytes");
		}
		this.pepper = new SecretKeySpec(pepperBytes, "HmacSHA256");
	}

	/** Unrevoked keys a user may have at once: enough for any real use, and it bounds the key list. */
	static final int MAX_KEYS_PER_USER = 50;

	Mono<CreatedApiKey> create(UUID user, String name, Set<Scope> scopes, @Nullable Instant expiresAt) {
		return db.sql("select count(*) as n from api_keys where user_id = :user and revoked_at is null")
			.bind("user", user)
			.map(row -> row.get("n", Long.class))
			.one()
			.flatMap(count -> count >= MAX_KEYS_PER_USER ? Mono.error(TooManyApiKeys::new)
					: insert(user, name, scopes, expiresAt));
	}

	private Mono<CreatedApiKey> insert(UUID user, String name, Set<Scope> scopes, @Nullable Instant expiresAt) {
		ApiKeyFormat.Parts parts = ApiKeyFormat.generate();
		DatabaseClient.GenericExecuteSpec sql = db.sql("""
				insert into api_keys (id, user_id, name, scopes, secret_hmac, expires_at)
				values (:id, :user, :name, :scopes, :hmac, :expires)
				returning *""")
			.bind("id", parts.id())
			.bind("user", user)
			.bind("name", name)
			.bind("scopes", scopes.stream().map(Scope::code).sorted().toArray(String[]::new))
			.bind("hmac", hmac(parts.secret()));
		sql = expiresAt == null ? sql.bindNull("expires", Instant.class) : sql.bind("expires", expiresAt);
		return sql.map(ApiKeys::view).one().map(view -> new CreatedApiKey(view, parts.key()));
	}

	Flux<ApiKeyView> list(UUID user) {
		return db.sql("select * from api_keys where user_id = :user order by created_at desc, id")
			.bind("user", user)
			.map(ApiKeys::view)
			.all();
	}

	/** Revokes the user's key; empty when the user has no such key (another user's key included). */
	Mono<ApiKeyView> revoke(UUID user, String id) {
		return db.sql("update api_keys set revoked_at = coalesce(revoked_at, now()) where id = :id and user_id = :user returning *")
			.bind("id", id)
			.bind("user", user)
			.map(ApiKeys::view)
			.one();
	}

	/** The principal of a valid, unrevoked, unexpired key; empty for anything else. */
	Mono<KilnPrincipal> authenticate(String key) {
		return Mono.justOrEmpty(ApiKeyFormat.parse(key))
			.flatMap(parts -> db.sql("select k.*, u.role from api_keys k join users u on u.id = k.user_id where k.id = :id")
				.bind("id", parts.id())
				.map(row -> new StoredKey(view(row), row.get("secret_hmac", byte[].class),
						Role.fromCode(row.get("role", String.class))))
				.one()
				.filter(stored -> MessageDigest.isEqual(stored.secretHmac(), hmac(parts.secret()))))
			.filter(stored -> stored.view().isUsable(clock.instant()))
			.flatMap(stored -> touch(stored.view()).thenReturn(new KilnPrincipal(stored.view().userId(), stored.role(),
					stored.view().scopes(), KilnPrincipal.Method.API_KEY, null, stored.view().id())));
	}

	private Mono<Void> touch(ApiKeyView key) {
		Instant now = clock.instant();
		if (key.lastUsedAt() != null && key.lastUsedAt().isAfter(now.minus(LAST_USED_RESOLUTION))) {
			return Mono.empty();
		}
		return db.sql("update api_keys set last_used_at = :now where id = :id").bind("now", now).bind("id", key.id()).then();
	}

	private byte[] hmac(String secret) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(pepper);
			return mac.doFinal(secret.getBytes(StandardCharsets.US_ASCII));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static ApiKeyView view(Readable row) {
		String[] scopes = row.get("scopes", String[].class);
		return new ApiKeyView(row.get("id", String.class), row.get("user_id", UUID.class), row.get("name", String.class),
				Arrays.stream(scopes).map(code -> Scope.fromCode(code).orElseThrow()).collect(Collectors.toSet()),
				instant(row, "created_at"), instant(row, "expires_at"), instant(row, "revoked_at"),
				instant(row, "last_used_at"));
	}

	private static @Nullable Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant();
	}

	private record StoredKey(ApiKeyView view, byte[] secretHmac, Role role) {
	}

	/** A key as its owner sees it: never the secret. */
	record ApiKeyView(String id, UUID userId, String name, Set<Scope> scopes, Instant createdAt,
			@Nullable Instant expiresAt, @Nullable Instant revokedAt, @Nullable Instant lastUsedAt) {

		boolean isUsable(Instant now) {
			return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
		}

		List<String> scopeCodes() {
			return scopes.stream().map(Scope::code).sorted().toList();
		}
	}

	static class TooManyApiKeys extends org.springframework.web.ErrorResponseException {

		TooManyApiKeys() {
			super(org.springframework.http.HttpStatus.CONFLICT, dev.kiln.platform.web.Problems.of(
					org.springframework.http.HttpStatus.CONFLICT, "too_many_api_keys",
					"A user may have " + MAX_KEYS_PER_USER + " API keys at once; revoke one first."), null);
		}
	}

	/** The only moment the full key exists outside its owner's hands. */
	record CreatedApiKey(ApiKeyView view, String key) {

		@Override
		public String toString() {
			return "CreatedApiKey[id=" + view.id() + "]";
		}
	}
}
