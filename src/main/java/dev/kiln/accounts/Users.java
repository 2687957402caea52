package dev.kiln.accounts;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

import dev.kiln.platform.security.Role;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

@Component
class Users {

	private static final String COLUMNS = "id, status, role, email_sealed, name_sealed, password_hash, created_at";

	private final DatabaseClient db;

	Users(DatabaseClient db) {
		this.db = db;
	}

	/** Inserts the user unless the email is taken; true when inserted. */
	Mono<Boolean> create(UUID id, byte[] emailIndex, byte[] emailSealed, byte @Nullable [] nameSealed,
			String passwordHash, Role role) {
		DatabaseClient.GenericExecuteSpec sql = db.sql("""
				insert into users (id, email_index, email_sealed, name_sealed, password_hash, role)
				values (:id, :index, :email, :name, :hash, :role)
				on conflict (email_index) do nothing""")
			.bind("id", id)
			.bind("index", emailIndex)
			.bind("email", emailSealed)
			.bind("hash", passwordHash)
			.bind("role", role.code());
		sql = nameSealed == null ? sql.bindNull("name", byte[].class) : sql.bind("name", nameSealed);
		return sql.fetch().rowsUpdated().map(rows -> rows == 1);
	}

	/** Inserts a user who signs in elsewhere (no password, no email index). */
	Mono<Void> createExternal(UUID id, byte @Nullable [] emailSealed, byte @Nullable [] nameSealed) {
		DatabaseClient.GenericExecuteSpec sql = db.sql("insert into users (id, email_sealed, name_sealed) values (:id, :email, :name)")
			.bind("id", id);
		sql = emailSealed == null ? sql.bindNull("email", byte[].class) : sql.bind("email", emailSealed);
		sql = nameSealed == null ? sql.bindNull("name", byte[].class) : sql.bind("name", nameSealed);
		return sql.then();
	}

	Mono<UserRecord> findByEmailIndex(byte[] index) {
		return db.sql("select " + COLUMNS + " from users where email_index = :index")
			.bind("index", index)
			.map(Users::read)
			.one();
	}

	Mono<UserRecord> findById(UUID id) {
		return db.sql("select " + COLUMNS + " from users where id = :id").bind("id", id).map(Users::read).one();
	}

	/** Users newest first, after the given position (keyset on created_at, id). */
	Flux<UserRecord> page(@Nullable Instant beforeCreated, @Nullable UUID beforeId, int limit) {
		return db.sql("select " + COLUMNS + " from users where (created_at, id) < (:created, :before)"
				+ " order by created_at desc, id desc limit :limit")
			.bind("created", beforeCreated == null ? Instant.parse("9999-12-31T00:00:00Z") : beforeCreated)
			.bind("before", beforeId == null ? new UUID(-1L, -1L) : beforeId)
			.bind("limit", limit)
			.map(Users::read)
			.all();
	}

	Mono<UserRecord> setStatus(UUID id, String status) {
		return db.sql("update users set status = :status, updated_at = now() where id = :id returning " + COLUMNS)
			.bind("status", status)
			.bind("id", id)
			.map(Users::read)
			.one();
	}

	private static UserRecord read(Readable row) {
		return new UserRecord(row.get("id", UUID.class), row.get("status", String.class),
				Role.fromCode(row.get("role", String.class)), row.get("email_sealed", byte[].class),
				row.get("name_sealed", byte[].class), row.get("password_hash", String.class),
				row.get("created_at", OffsetDateTime.class).toInstant());
	}
}
