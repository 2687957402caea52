package dev.kiln.credits;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CreditsValuesTests {

	@Test
	void creditsAreNeverNegativeAndAddWithoutOverflow() {
		assertThatThrownBy(() -> Credits.of(-1)).isInstanceOf(IllegalArgumentException.class);
		assertThat(Credits.of(2).plus(Credits.of(3))).isEqualTo(Credits.of(5));
		assertThatThrownBy(() -> Credits.of(Long.MAX_VALUE).plus(Credits.of(1))).isInstanceOf(ArithmeticException.class);
	}

	@Test
	void idempotencyKeysAreVisibleAsciiAndNeverTheLedgersOwn() {
		assertThat(IdempotencyKey.of("stripe:evt_1Nq2").value()).isEqualTo("stripe:evt_1Nq2");
		assertThatThrownBy(() -> IdempotencyKey.of("")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> IdempotencyKey.of("has space")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> IdempotencyKey.of("k".repeat(201))).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> IdempotencyKey.of("expire/" + UUID.randomUUID()))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void ledgerCursorsRoundTripAndRejectForgeries() {
		LedgerCursor cursor = new LedgerCursor(42);

		assertThat(LedgerCursor.decode(cursor.encode())).isEqualTo(cursor);
		assertThat(cursor.encode()).doesNotContain("42");
		assertThatThrownBy(() -> LedgerCursor.decode("not-base64!")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> LedgerCursor.decode("bGVkZ2VyOi0x")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> LedgerCursor.decode("b3RoZXI6MQ")).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void rejectionCodesAreTheStableSnakeCaseNames() {
		assertThat(Rejection.INSUFFICIENT_CREDITS.code()).isEqualTo("insufficient_credits");
		assertThat(Rejection.fromCode("already_posted")).isEqualTo(Rejection.ALREADY_POSTED);
		assertThatThrownBy(() -> Rejection.fromCode("nope")).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void aBalanceTotalsAvailableAndHeld() {
		assertThat(Balance.of(7, 3).total()).isEqualTo(Credits.of(10));
	}
}
