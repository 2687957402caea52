package dev.kiln.payments;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

/** A {@code payment_transactions} row. */
record Purchase(UUID id, UUID userId, String provider, String kind, String itemId, long amount, String currency,
		long credits, String status, @Nullable String checkoutId, @Nullable String checkoutUrl, String idempotencyKey,
		Instant createdAt) {

	static Purchase read(Readable row) {
		return new Purchase(row.get("id", UUID.class), row.get("user_id", UUID.class), row.get("provider", String.class),
				row.get("kind", String.class), row.get("item_id", String.class), row.get("amount", Long.class),
				row.get("currency", String.class), row.get("credits", Long.class), row.get("status", String.class),
				row.get("checkout_id", String.class), row.get("checkout_url", String.class),
				row.get("idempotency_key", String.class), row.get("created_at", OffsetDateTime.class).toInstant());
	}
}
