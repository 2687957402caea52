package dev.kiln.credits;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names one ledger operation forever: a retry with the same key returns the first outcome and moves
 * nothing. Keys are global, so callers namespace them ({@code stripe:evt_…}, {@code job:<id>:hold}).
 */
public record IdempotencyKey(String value) {

	private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]{1,200}");

	/** Prefix of the keys the ledger itself gives to expiries. */
	static final String EXPIRY_PREFIX = "expire/";

	public IdempotencyKey {
		Objects.requireNonNull(value, "idempotency key");
		if (!VISIBLE_ASCII.matcher(value).matches()) {
			throw new IllegalArgumentException("idempotency key must be 1 to 200 visible ASCII characters");
		}
		if (value.startsWith(EXPIRY_PREFIX)) {
			throw new IllegalArgumentException("idempotency keys starting with '" + EXPIRY_PREFIX + "' are reserved");
		}
	}

	public static IdempotencyKey of(String value) {
		return new IdempotencyKey(value);
	}

	@Override
	public String toString() {
		return value;
	}
}
