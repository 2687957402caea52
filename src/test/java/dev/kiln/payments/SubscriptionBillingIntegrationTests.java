package dev.kiln.payments;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

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
 * Monthly plans through Stripe Billing, end to end through stripe-java and the emulator: one grant per
 * paid invoice, a failed renewal pauses spending until it is paid, and reordered or lost events end in
 * Stripe's current state.
 */
@KilnIntegrationTest
class SubscriptionBillingIntegrationTests {

	private static final String PLAN = "monthly-150";

	@Autowired
	WebTestClient web;

	@Autowired
	StripeEmulator stripe;

	@Autowired
	DatabaseClient db;

	@Autowired
	CreditLedger ledger;

	@Autowired
	EventReconciler reconciler;

	@Autowired
	Subscriptions subscriptions;

	Buyer buyer;

	@BeforeEach
	void signIn() {
		stripe.resetWebhookFaults();
		buyer = new Buyer(web, stripe, db, ledger);
	}

	@AfterEach
	void invariantsHold() {
		stripe.resetWebhookFaults();
		stripe.awaitWebhooksIdle(Buyer.WAIT);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void aPlanGrantsItsCreditsOncePerPaidInvoice() {
		CheckoutPayment payment = subscribe();
		assertThat(buyer.available()).isEqualTo(150);
		assertThat(buyer.payment(payment.sessionId())).containsEntry("status", "subscribed").containsEntry("kind", "plan");
		assertThat(subscriptions.planOf(buyer.id).block()).isEqualTo(PLAN);

		stripe.duplicateWebhooks(3);
		String renewal = stripe.renew(payment.subscriptionId());
		buyer.awaitDelivered("invoice.paid", renewal);
		stripe.awaitWebhooksIdle(Buyer.WAIT);

		assertThat(buyer.available()).isEqualTo(300);
		List<Map<String, Object>> invoices = buyer.payments().stream().filter(p -> "invoice".equals(p.get("kind"))).toList();
		assertThat(invoices).extracting(p -> p.get("invoice_id")).containsExactlyInAnyOrder(payment.invoiceId(), renewal);
		assertThat(invoices).allSatisfy(p -> assertThat(p).containsEntry("status", "paid").containsEntry("credits", 150)
			.containsEntry("amount", 999));
	}

	@Test
	void aSubscriberCannotBuyASecondPlanAndManagesTheirsInThePortal() {
		subscribe();

		buyer.checkoutRequest(PLAN).expectStatus().isEqualTo(409).expectBody().jsonPath("$.code").isEqualTo("already_subscribed");
		buyer.user.as(web).post().uri("/v1/billing-portal").exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.url").value(url -> assertThat((String) url).startsWith(stripe.baseUrl()));
	}

	@Test
	void aFailedRenewalPausesNewSpendingUntilTheInvoiceIsPaid() {
		CheckoutPayment payment = subscribe();

		String invoice = stripe.failRenewal(payment.subscriptionId());
		buyer.awaitDelivered("invoice.payment_failed", invoice);
		assertThat(buyer.hold(5)).isEqualTo(new Rejected(Rejection.PAYMENT_OVERDUE, false));
		assertThat(buyer.spendingLocks()).containsExactly("payment_overdue");
		assertThat(subscriptionStatus(payment.subscriptionId())).isEqualTo("past_due");

		stripe.renew(payment.subscriptionId());
		buyer.awaitDelivered("invoice.paid", invoice);
		assertThat(buyer.hold(5)).isInstanceOf(Held.class);
		assertThat(buyer.spendingLocks()).isEmpty();
		assertThat(buyer.available()).isEqualTo(300 - 5);
	}

	@Test
	void eventsDeliveredOutOfOrderEndInStripesCurrentState() {
		CheckoutPayment payment = subscribe();

		// the failure's events arrive after the retry that paid the invoice
		stripe.delayWebhooks(Duration.ofSeconds(2));
		String invoice = stripe.failRenewal(payment.subscriptionId());
		stripe.delayWebhooks(Duration.ZERO);
		stripe.reorderWebhooks();
		stripe.renew(payment.subscriptionId());
		buyer.awaitDelivered("invoice.paid", invoice);
		buyer.awaitDelivered("invoice.payment_failed", invoice);
		stripe.awaitWebhooksIdle(Buyer.WAIT);

		assertThat(buyer.spendingLocks()).isEmpty();
		assertThat(subscriptionStatus(payment.subscriptionId())).isEqualTo("active");
		assertThat(buyer.available()).isEqualTo(300);

		stripe.cancelSubscription(payment.subscriptionId());
		buyer.awaitDelivered("customer.subscription.deleted", payment.subscriptionId());
		assertThat(subscriptionStatus(payment.subscriptionId())).isEqualTo("canceled");
		assertThat(subscriptions.planOf(buyer.id).block()).isEqualTo(Subscriptions.FREE);
	}

	@Test
	void aLostInvoiceWebhookIsGrantedByTheReconcilerOnce() {
		CheckoutPayment payment = subscribe();

		stripe.dropWebhooks(true);
		String renewal = stripe.renew(payment.subscriptionId());
		assertThat(buyer.available()).isEqualTo(150);

		assertThat(reconciler.reconcile().block()).isPositive();
		assertThat(buyer.available()).isEqualTo(300);
		assertThat(buyer.payment(renewal)).containsEntry("status", "paid");
		assertThat(reconciler.reconcile().block()).isZero();
		assertThat(buyer.available()).isEqualTo(300);
	}

	@Test
	void anInvoiceGrantedLateIsDatedWhenItWasPaid() throws Exception {
		CheckoutPayment payment = subscribe();
		stripe.dropWebhooks(true);
		Instant renewed = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		String renewal = stripe.renew(payment.subscriptionId());
		Thread.sleep(2_500); // the reconciler finds the paid invoice a while after it was paid
		Instant reconciled = Instant.now();

		assertThat(reconciler.reconcile().block()).isPositive();
		OffsetDateTime paidAt = (OffsetDateTime) buyer.payment(renewal).get("paid_at");
		assertThat(paidAt.toInstant()).isBetween(renewed, reconciled.minusSeconds(2));
	}

	private CheckoutPayment subscribe() {
		String checkout = buyer.checkout(PLAN);
		CheckoutPayment payment = stripe.pay(checkout);
		buyer.awaitDelivered("checkout.session.completed", checkout);
		buyer.awaitDelivered("invoice.paid", payment.invoiceId());
		return payment;
	}

	private String subscriptionStatus(String subscription) {
		return db.sql("select status from subscriptions where subscription_id = :id").bind("id", subscription)
			.map(row -> row.get("status", String.class)).one().block();
	}
}
