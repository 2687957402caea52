package dev.kiln.credits;

import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;

import io.r2dbc.spi.Readable;

/** Reads {@code balance_ledger} rows. */
final class LedgerEntries {

	private LedgerEntries() {
	}

	static LedgerEntry read(Readable row) {
		UUID hold = row.get("hold_id", UUID.class);
		return new LedgerEntry(row.get("id", Long.class),
				LedgerEntry.EntryType.valueOf(row.get("entry_type", String.class).toUpperCase(Locale.ROOT)),
				row.get("amount", Long.class), row.get("available_change", Long.class),
				row.get("held_change", Long.class),
				Balance.of(row.get("available_after", Long.class), row.get("held_after", Long.class)),
				hold == null ? null : new HoldId(hold), row.get("job_id", UUID.class),
				row.get("payment_ref", String.class), row.get("memo", String.class),
				row.get("created_at", OffsetDateTime.class).toInstant());
	}
}
