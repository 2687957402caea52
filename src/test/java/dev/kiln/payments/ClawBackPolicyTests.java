package dev.kiln.payments;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClawBackPolicyTests {

	@Test
	void aFullRefundTakesEveryCreditAndAPartialOneItsShareRoundedDown() {
		assertThat(ClawBackPolicy.owed(100, 799, 799, 0)).isEqualTo(100);
		assertThat(ClawBackPolicy.owed(100, 799, 400, 0)).isEqualTo(50);
		assertThat(ClawBackPolicy.owed(100, 799, 799, 50)).isEqualTo(50);
		assertThat(ClawBackPolicy.owed(100, 799, 1, 0)).isZero();
		assertThat(ClawBackPolicy.owed(150, 0, 0, 0)).as("a free invoice refunded").isEqualTo(150);
		assertThatThrownBy(() -> ClawBackPolicy.owed(100, 799, 799, 101)).isInstanceOf(IllegalArgumentException.class);
	}

	/** However a payment is refunded in parts, the credits taken back add up to the credits bought, never more. */
	@Property
	void refundsInAnyPartsAddUpToTheWholeAndNeverMore(@ForAll @LongRange(min = 1, max = 10_000) long credits,
			@ForAll @LongRange(min = 1, max = 1_000_000) long amount, @ForAll @IntRange(min = 1, max = 8) int parts) {
		long refunded = 0;
		long answered = 0;
		for (int part = 1; part <= parts; part++) {
			long next = part == parts ? amount : Math.min(amount, refunded + amount / parts);
			long owed = ClawBackPolicy.owed(credits, amount, next, answered);
			assertThat(owed).isNotNegative();
			answered += owed;
			refunded = next;
			assertThat(answered).isLessThanOrEqualTo(credits);
		}
		assertThat(answered).isEqualTo(credits);
	}
}
