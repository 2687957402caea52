package dev.kiln.credits;

import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

/** One {@code ledger_result} returned by the ledger's SQL functions. */
record LedgerRow(String outcome, boolean replayed, @Nullable UUID holdId, @Nullable Long amount, long released,
		@Nullable Long available, @Nullable Long held) {

	static LedgerRow read(Readable row) {
		Long released = row.get("released", Long.class);
		return new LedgerRow(row.get("outcome", String.class), Boolean.TRUE.equals(row.get("replayed", Boolean.class)),
				row.get("hold_id", UUID.class), row.get("amount", Long.class), released == null ? 0 : released,
				row.get("available", Long.class), row.get("held", Long.class));
	}

	HoldId hold() {
		return new HoldId(holdId);
	}

	Credits credits() {
		return Credits.of(amount);
	}

	Credits releasedCredits() {
		return Credits.of(released);
	}

	Balance balance() {
		return Balance.of(available, held);
	}

	Rejected rejected() {
		return new Rejected(Rejection.fromCode(outcome), replayed);
	}
}
