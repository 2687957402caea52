package dev.kiln.platform.web;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * An opaque position in a list kept newest first by {@code (created_at, id)}: the last row seen. The
 * list's name is part of the token, so a cursor of one list is refused by another.
 */
public record PageCursor(Instant createdAt, UUID id) {

	/** 9999-12-31T23:59:59Z. */
	private static final long LATEST_MICROS = 253_402_300_799_000_000L;

	public String encode(String list) {
		long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
		return Base64.getUrlEncoder().withoutPadding()
			.encodeToString((list + ":" + micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
	}

	/** @throws InvalidField naming {@code cursor} when the token was not made by {@link #encode} for this list */
	public static PageCursor decode(String list, String token) {
		try {
			String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
			String[] parts = text.split(":", -1);
			if (parts.length != 3 || !parts[0].equals(list)) {
				throw new IllegalArgumentException("not a cursor of " + list);
			}
			long micros = Long.parseLong(parts[1]);
			// a forged position outside PostgreSQL's sensible range would fail the query, not the request
			if (micros < 0 || micros > LATEST_MICROS) {
				throw new IllegalArgumentException("position out of range");
			}
			return new PageCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), UUID.fromString(parts[2]));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidField("cursor", "is not a cursor this API issued");
		}
	}
}
