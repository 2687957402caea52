package dev.kiln.payments;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/** An opaque position in a list of payments, newest first: the last payment seen. */
record PaymentCursor(Instant createdAt, UUID id) {

	private static final String PREFIX = "payments:";

	/** 9999-12-31T23:59:59Z. */
	private static final long LATEST_MICROS = 253_402_300_799_000_000L;

	String encode() {
		long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
		return Base64.getUrlEncoder().withoutPadding()
			.encodeToString((PREFIX + micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
	}

	/** @throws IllegalArgumentException when the token was not made by {@link #encode()} */
	static PaymentCursor decode(String token) {
		String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
		String[] parts = text.split(":", -1);
		if (parts.length != 3 || !text.startsWith(PREFIX)) {
			throw new IllegalArgumentException("not a payment cursor");
		}
		long micros = Long.parseLong(parts[1]);
		// a forged position outside PostgreSQL's sensible range would fail the query, not the request
		if (micros < 0 || micros > LATEST_MICROS) {
			throw new IllegalArgumentException("position out of range");
		}
		return new PaymentCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), UUID.fromString(parts[2]));
	}
}
