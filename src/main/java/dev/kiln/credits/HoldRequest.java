package dev.kiln.credits;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Reserve {@code amount} on {@code account} until {@code deadline}; after it the hold can no longer be
 * posted and the credits go back. {@code memo} says what it pays for; {@code jobId} links a generation.
 */
public record HoldRequest(IdempotencyKey key, AccountId account, Credits amount, Instant deadline, String memo,
		@Nullable UUID jobId) {

	public HoldRequest {
		Objects.requireNonNull(key, "key");
		Objects.requireNonNull(account, "account");
		Objects.requireNonNull(deadline, "deadline");
		Objects.requireNonNull(memo, "memo");
		if (!amount.isPositive()) {
			throw new IllegalArgumentException("a hold must reserve at least one credit");
		}
	}
}
