package dev.kiln.credits;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * An opaque position in an account's ledger: clients pass it back verbatim. It encodes the last entry
 * id seen; keyset pagination on that id stays fast and stable while new entries arrive.
 */
public record LedgerCursor(long beforeId) {

	private static final String PREFIX = "ledger:";

	public LedgerCursor {
		if (beforeId <= 0) {
			throw new IllegalArgumentException("cursor position must be positive");
		}
	}

	public String encode() {
		return Base64.getUrlEncoder().withoutPadding()
			.encodeToString((PREFIX + beforeId).getBytes(StandardCharsets.US_ASCII));
	}

	/** @throws IllegalArgumentException when the token was not made by {@link #encode()} */
	public static LedgerCursor decode(String token) {
		try {
			String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
			if (!text.startsWith(PREFIX)) {
				throw new IllegalArgumentException("not a ledger cursor");
			}
			return new LedgerCursor(Long.parseLong(text.substring(PREFIX.length())));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("cursor is not valid", ex);
		}
	}
}
