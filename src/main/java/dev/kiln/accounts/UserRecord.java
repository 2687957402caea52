package dev.kiln.accounts;

import java.time.Instant;
import java.util.UUID;

import dev.kiln.platform.security.Role;
import org.jspecify.annotations.Nullable;

/** A {@code users} row as stored: personal data still sealed. */
record UserRecord(UUID id, String status, Role role, byte @Nullable [] emailSealed, byte @Nullable [] nameSealed,
		@Nullable String passwordHash, Instant createdAt) {

	boolean isActive() {
		return status.equals("active");
	}

	@Override
	public String toString() {
		return "UserRecord[id=" + id + ", status=" + status + ", role=" + role + "]";
	}
}
