package dev.kiln.credits;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A hold and every ledger entry it made, oldest first: the hold itself, then its post, void or expiry.
 * {@code postedAmount} is set once posted; {@code resolvedAt} once settled in any way.
 */
public record HoldTrace(HoldId id, UUID accountId, long amount, @Nullable Long postedAmount, String status,
		String memo, Instant deadline, Instant createdAt, @Nullable Instant resolvedAt, List<LedgerEntry> entries) {

	HoldTrace with(List<LedgerEntry> found) {
		return new HoldTrace(id, accountId, amount, postedAmount, status, memo, deadline, createdAt, resolvedAt, found);
	}
}
