package dev.kiln.payments;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Held;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.credits.Rejected;
import dev.kiln.credits.Rejection;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.stripe.CheckoutPayment;
import dev.kiln.testing.stripe.StripeEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refunds take back the refunded share of a purchase's credits, and what was already spent is written
 * off and recorded ({@link ClawBackPolicy}); a dispute pauses new spending until it closes.
 */
@KilnIntegrationTest
class RefundsAndDisputesIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	StripeEmulator stripe;

	@Autowired
	DatabaseClient db;

	@Autowired
	CreditLedger ledger;

	Buyer buyer;

	@BeforeEach
	void signIn() {
		stripe.resetWebhookFaults();
		buyer = new Buyer(web, stripe, db, ledger);
	}

	@AfterEach
	void invariantsHold() {
		stripe.awaitWebhooksIdle(Buyer.WAIT);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void aRefundAfterPartialSpendingTakesBackWhatIsLeftAndWritesOffTheRest() {
		CheckoutPayment payment = buyer.buy("pack-100");
		buyer.spend(70);

		stripe.refund(payment.chargeId(), 799);
		buyer.awaitDelivered("charge.refunded", payment.chargeId());

		assertThat(buyer.available()).isZero();
		assertThat(buyer.payment(payment.sessionId())).containsEntry("status", "refunded")
			.containsEntry("refunded_amount", 799L)
			.containsEntry("credits_clawed_back", 30L)
			.containsEntry("credits_written_off", 70L);
		assertThat(buyer.payments().getFirst()).containsEntry("credits_taken_back", 30).containsEntry("refunded_amount", 799);
	}

	@Test
	void partialRefundsTakeBackTheirShareOnceEachAndAddUpToTheWhole() {
		CheckoutPayment payment = buyer.buy("pack-100");

		stripe.duplicateWebhooks(3);
		stripe.refund(payment.chargeId(), 400);
		buyer.awaitDelivered("charge.refunded", payment.chargeId());
		stripe.awaitWebhooksIdle(Buyer.WAIT);
		// 400 of 799 is 50.06% of 100 credits: rounded down, in the user's favour
		assertThat(buyer.available()).isEqualTo(50);
		assertThat(buyer.payment(payment.sessionId())).containsEntry("status", "paid").containsEntry("refunded_amount", 400L);

		stripe.refund(payment.chargeId(), 399);
		stripe.awaitWebhooksIdle(Buyer.WAIT);
		assertThat(buyer.available()).isZero();
		assertThat(buyer.payment(payment.sessionId())).containsEntry("status", "refunded")
			.containsEntry("credits_clawed_back", 100L)
			.containsEntry("credits_written_off", 0L);
	}

	@Test
	void aDisputePausesNewSpendingAndAWonDisputeRestoresIt() {
		CheckoutPayment payment = buyer.buy("pack-100");

		String dispute = stripe.dispute(payment.chargeId());
		buyer.awaitDelivered("charge.dispute.created", dispute);
		assertThat(buyer.hold(10)).isEqualTo(new Rejected(Rejection.PAYMENT_DISPUTED, false));
		assertThat(buyer.payment(payment.sessionId())).containsEntry("status", "disputed");

		stripe.closeDispute(dispute, true);
		buyer.awaitDelivered("charge.dispute.closed", dispute);
		assertThat(buyer.hold(10)).isInstanceOf(Held.class);
		assertThat(buyer.payment(payment.sessionId())).containsEntry("status", "paid");
		assertThat(buyer.spendingLocks()).isEmpty();
	}

	@Test
	void aLostDisputeTakesTheCreditsBackAndLiftsThePause() {
		CheckoutPayment payment = buyer.buy("pack-120");
		buyer.spend(20);

		String dispute = stripe.dispute(payment.chargeId());
		buyer.awaitDelivered("charge.dispute.created", dispute);
		stripe.closeDispute(dispute, false);
		buyer.awaitDelivered("charge.dispute.closed", dispute);

		assertThat(buyer.available()).isZero();
		assertThat(buyer.payment(payment.sessionId())).containsEntry("status", "charged_back")
			.containsEntry("credits_clawed_back", 100L)
			.containsEntry("credits_written_off", 20L);
		assertThat(buyer.spendingLocks()).isEmpty();
	}
}
