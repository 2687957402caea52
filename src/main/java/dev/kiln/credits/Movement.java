package dev.kiln.credits;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A credit (purchase, grant, adjustment) or debit (claw-back, adjustment) of {@code amount}.
 * {@code paymentRef} links the payment that caused it, when there is one.
 */
public record Movement(IdempotencyKey key, AccountId account, Credits amount, String memo,
		@Nullable String paymentRef) {

	public Movement {
		Objects.requireNonNull(key, "key");
		Objects.requireNonNull(account, "account");
		Objects.requireNonNull(memo, "memo");
		if (!amount.isPositive()) {
			throw new IllegalArgumentException("a movement must move at least one credit");
		}
	}
}
