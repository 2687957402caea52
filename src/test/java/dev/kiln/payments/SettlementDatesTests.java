package dev.kiln.payments;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SettlementDatesTests {

	private static final Instant CREATED = Instant.parse("2026-11-30T23:59:00Z");

	@Test
	void anEventDatesThePaymentOnlyWhenItSaysTheMoneyArrived() {
		assertThat(Settlements.paidAt(event("checkout.session.completed", "paid"))).isEqualTo(CREATED);
		assertThat(Settlements.paidAt(event("checkout.session.completed", "no_payment_required"))).isEqualTo(CREATED);
		assertThat(Settlements.paidAt(event("checkout.session.async_payment_succeeded", "paid"))).isEqualTo(CREATED);
		// completed while a bank debit was still pending: the money came later
		assertThat(Settlements.paidAt(event("checkout.session.completed", "unpaid"))).isNull();
		assertThat(Settlements.paidAt(event("checkout.session.completed", null))).isNull();
		assertThat(Settlements.paidAt(event("checkout.session.expired", "unpaid"))).isNull();
		assertThat(Settlements.paidAt(null)).as("the reconciler, with no event").isNull();
	}

	private static PaymentGateway.PaymentEvent event(String type, String paymentStatus) {
		return new PaymentGateway.PaymentEvent("evt_1", type, "cs_1", CREATED, paymentStatus);
	}
}
