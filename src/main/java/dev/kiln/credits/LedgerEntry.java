package dev.kiln.credits;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One ledger row. {@code amount} is what the entry did to the account's total (zero for holds, voids and
 * expiries, which only move credits between available and held); {@code balanceAfter} is the account
 * right after it.
 */
public record LedgerEntry(long id, EntryType type, long amount, long availableChange, long heldChange,
		Balance balanceAfter, @Nullable HoldId hold, @Nullable UUID jobId, @Nullable String paymentRef,
		@Nullable String memo, Instant createdAt) {

	public enum EntryType {
		CREDIT, DEBIT, HOLD, POST, VOID, EXPIRE
	}
}
