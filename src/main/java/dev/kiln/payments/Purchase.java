package dev.kiln.payments;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

/**
 * A {@code payment_transactions} row: a pack's purchase, a plan's checkout, or one paid invoice of a
 * subscription. {@code refundedAmount} is what the provider gave back (minor units); the credits that
 * answer for it were {@code creditsClawedBack} from the balance or {@code creditsWrittenOff} where the
 * user had already spent them. {@code paidAt} is when the money arrived (null until then).
 */
record Purchase(UUID id, UUID userId, String provider, String kind, String itemId, long amount, String currency,
		long credits, String status, @Nullable String checkoutId, @Nullable String checkoutUrl, String idempotencyKey,
		@Nullable String invoiceId, @Nullable String subscriptionId, @Nullable String paymentIntent, long refundedAmount,
		long creditsClawedBack, long creditsWrittenOff, Instant createdAt, Instant updatedAt, @Nullable Instant paidAt) {

	static Purchase read(Readable row) {
		return new Purchase(row.get("id", UUID.class), row.get("user_id", UUID.class), row.get("provider", String.class),
				row.get("kind", String.class), row.get("item_id", String.class), row.get("amount", Long.class),
				row.get("currency", String.class), row.get("credits", Long.class), row.get("status", String.class),
				row.get("checkout_id", String.class), row.get("checkout_url", String.class),
				row.get("idempotency_key", String.class), row.get("invoice_id", String.class),
				row.get("subscription_id", String.class), row.get("payment_intent", String.class),
				row.get("refunded_amount", Long.class), row.get("credits_clawed_back", Long.class),
				row.get("credits_written_off", Long.class), row.get("created_at", OffsetDateTime.class).toInstant(),
				row.get("updated_at", OffsetDateTime.class).toInstant(), instant(row.get("paid_at", OffsetDateTime.class)));
	}

	private static @Nullable Instant instant(@Nullable OffsetDateTime value) {
		return value == null ? null : value.toInstant();
	}

	/** Credits a refund or lost dispute has not yet answered for. */
	long creditsOutstanding() {
		return credits - creditsClawedBack - creditsWrittenOff;
	}
}
