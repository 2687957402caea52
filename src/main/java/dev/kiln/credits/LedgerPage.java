package dev.kiln.credits;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** Entries newest first; {@code next} fetches the older ones and is null on the last page. */
public record LedgerPage(List<LedgerEntry> entries, @Nullable LedgerCursor next) {

	public LedgerPage {
		entries = List.copyOf(entries);
	}
}
