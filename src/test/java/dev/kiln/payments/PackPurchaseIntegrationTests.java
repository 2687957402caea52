package dev.kiln.payments;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import dev.kiln.credits.LedgerInvariants;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SettableClock;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import dev.kiln.testing.stripe.StripeEmulator;
import dev.kiln.testing.stripe.WebhookDelivery;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Buying a pack through Stripe Checkout, end to end through stripe-java and an emulator that speaks
 * Stripe's API and signs its webhooks: credited exactly once, whatever happens to the webhooks.
 */
@KilnIntegrationTest
class PackPurchaseIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Autowired
	WebTestClient web;

	@Autowired
	StripeEmulator stripe;

	@Autowired
	DatabaseClient db;

	@Autowired
	SettableClock clock;

	@Autowired
	CheckoutReconciler reconciler;

	@LocalServerPort
	int port;

	SignedIn user;

	@BeforeEach
	void signIn() {
		stripe.resetWebhookFaults();
		user = TestUsers.signUpAndLogIn(web);
	}

	@AfterEach
	void invariantsHold() {
		stripe.awaitWebhooksIdle(WAIT);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void aPackIsPaidAndCreditedOnce() {
		Map<?, ?> checkout = checkout("pack-100", "buy-" + TestIds.uuid()).expectStatus().isCreated()
			.expectBody(Map.class).returnResult().getResponseBody();
		assertThat(checkout.get("status")).isEqualTo("pending");
		assertThat((String) checkout.get("checkout_url")).startsWith(stripe.baseUrl());

		String checkoutId = (String) checkout.get("checkout_id");
		stripe.pay(checkoutId);
		awaitDelivered(checkoutId, "checkout.session.completed");

		assertThat(available()).isEqualTo(100);
		user.as(web).get().uri("/v1/payments").exchange().expectStatus().isOk()
			.expectBody()
			.jsonPath("$[0].status").isEqualTo("paid")
			.jsonPath("$[0].amount").isEqualTo(799)
			.jsonPath("$[0].currency").isEqualTo("eur");
	}

	@Test
	void retryingTheRequestGivesTheSameCheckoutAndAnotherItemUnderTheSameKeyIsRefused() {
		String key = "buy-" + TestIds.uuid();
		Map<?, ?> first = checkout("pack-120", key).expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
		Map<?, ?> again = checkout("pack-120", key).expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();

		assertThat(again.get("id")).isEqualTo(first.get("id"));
		assertThat(again.get("checkout_id")).isEqualTo(first.get("checkout_id"));
		checkout("pack-140", key).expectStatus().isEqualTo(422).expectBody().jsonPath("$.code").isEqualTo("idempotency_key_reused");
		checkout("pack-140", null).expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("Idempotency-Key");
		checkout("no-such-pack", "buy-" + TestIds.uuid()).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("item_id");
	}

	@Test
	void theSameEventFiveTimesInARowIsCreditedOnce() {
		stripe.duplicateWebhooks(5);
		String checkout = payFor("pack-100");

		stripe.awaitWebhooksIdle(WAIT);
		assertThat(deliveries(checkout, "checkout.session.completed")).hasSize(5)
			.allSatisfy(delivery -> assertThat(delivery.succeeded()).isTrue());
		assertThat(available()).isEqualTo(100);
	}

	@Test
	void theSameEventFiveTimesAtOnceIsCreditedOnce() {
		stripe.concurrentDuplicates(5);
		String checkout = payFor("pack-100");

		stripe.awaitWebhooksIdle(WAIT);
		assertThat(deliveries(checkout, "checkout.session.completed")).hasSize(5)
			.allSatisfy(delivery -> assertThat(delivery.succeeded()).isTrue());
		assertThat(available()).isEqualTo(100);
	}

	@Test
	void aDroppedWebhookIsCreditedByTheReconciler() {
		stripe.dropWebhooks(true);
		payFor("pack-140");
		assertThat(available()).isZero();

		clock.advance(Duration.ofMinutes(10));
		assertThat(reconciler.reconcile().block()).isGreaterThanOrEqualTo(1);

		assertThat(available()).isEqualTo(140);
		assertThat(reconciler.reconcile().block()).as("nothing is left to reconcile").isZero();
	}

	@Test
	void aLateWebhookDatesThePaymentByItsEventNotByItsArrival() {
		stripe.delayWebhooks(Duration.ofSeconds(3));
		String checkout = payFor("pack-100");
		WebhookDelivery delivery = stripe.awaitDelivery(
				candidate -> candidate.eventType().equals("checkout.session.completed") && candidate.payload().contains(checkout), WAIT);
		Awaitility.await().atMost(WAIT).until(() -> "paid".equals(status(checkout)));

		Instant created = createdAt(delivery);
		assertThat(paidAt(checkout)).isEqualTo(created).isBefore(delivery.at().minusSeconds(2));
	}

	@Test
	void forgedStaleAndMalformedWebhooksAre400AndChangeNothing() throws Exception {
		stripe.webhookRetries(1, Duration.ofMillis(10)); // one attempt each: Stripe would retry a 400 later
		stripe.forgeNextSignature();
		String checkout = payFor("pack-100");
		stripe.awaitWebhooksIdle(WAIT);
		assertThat(deliveries(checkout, "checkout.session.completed")).singleElement()
			.satisfies(delivery -> assertThat(delivery.status()).isEqualTo(400));

		stripe.staleTimestamp(Duration.ofHours(1));
		String expiring = checkoutOf("pack-120");
		stripe.expire(expiring);
		stripe.awaitWebhooksIdle(WAIT);
		assertThat(deliveries(expiring, "checkout.session.expired")).isNotEmpty()
			.allSatisfy(delivery -> assertThat(delivery.status()).isEqualTo(400));
		assertThat(status(expiring)).isEqualTo("pending");

		HttpResponse<String> malformed = HttpClient.newHttpClient().send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + port + "/webhooks/stripe"))
			.header("Content-Type", "application/json")
			.header("Stripe-Signature", "t=1,v1=00")
			.POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(malformed.statusCode()).isEqualTo(400);
		assertThat(malformed.body()).contains("invalid_webhook");

		assertThat(available()).isZero();
		assertThat(status(checkout)).isEqualTo("pending");
	}

	@Test
	void aDelayedPaymentIsCreditedWhenItSucceedsAndNeverWhenItFails() {
		String succeeding = checkoutOf("pack-100");
		stripe.payAsync(succeeding);
		awaitDelivered(succeeding, "checkout.session.completed");
		assertThat(status(succeeding)).as("completed but not yet paid").isEqualTo("pending");
		assertThat(available()).isZero();

		stripe.succeedAsyncPayment(succeeding);
		awaitDelivered(succeeding, "checkout.session.async_payment_succeeded");
		assertThat(status(succeeding)).isEqualTo("paid");
		assertThat(available()).isEqualTo(100);

		String failing = checkoutOf("pack-120");
		stripe.payAsync(failing);
		awaitDelivered(failing, "checkout.session.completed");
		stripe.failAsyncPayment(failing);
		awaitDelivered(failing, "checkout.session.async_payment_failed");
		assertThat(status(failing)).isEqualTo("failed");
		assertThat(available()).isEqualTo(100);
	}

	@Test
	void aBankDebitWhoseCompletionArrivesAfterItSucceededIsNotDatedBeforeItWasPaid() throws Exception {
		stripe.delayWebhooks(Duration.ofSeconds(4));
		String checkout = checkoutOf("pack-100");
		stripe.payAsync(checkout); // completed, unpaid: its event leaves in 4 s
		Thread.sleep(2_000);
		Instant succeeded = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		stripe.succeedAsyncPayment(checkout); // the completion, arriving after this, finds the session paid
		WebhookDelivery completed = stripe.awaitDelivery(
				candidate -> candidate.eventType().equals("checkout.session.completed") && candidate.payload().contains(checkout), WAIT);
		Awaitility.await().atMost(WAIT).until(() -> "paid".equals(status(checkout)));

		Instant completedAt = createdAt(completed);
		assertThat(paidAt(checkout)).isAfter(completedAt).isAfterOrEqualTo(succeeded);
		stripe.awaitWebhooksIdle(WAIT);
		assertThat(available()).isEqualTo(100);
	}

	@Test
	void anExpiredCheckoutIsMarkedExpiredAndCreditsNothing() {
		String checkout = checkoutOf("pack-100");

		stripe.expire(checkout);
		awaitDelivered(checkout, "checkout.session.expired");

		assertThat(status(checkout)).isEqualTo("expired");
		assertThat(available()).isZero();
	}

	private java.util.List<dev.kiln.testing.stripe.WebhookDelivery> deliveries(String checkout, String type) {
		return stripe.deliveries().stream()
			.filter(delivery -> delivery.eventType().equals(type) && delivery.payload().contains(checkout))
			.toList();
	}

	/** The delivery of this checkout's event (the emulator is shared by this class's tests). */
	private void awaitDelivered(String checkout, String type) {
		stripe.awaitDelivery(delivery -> delivery.eventType().equals(type) && delivery.payload().contains(checkout), WAIT);
	}

	private String payFor(String item) {
		String checkout = checkoutOf(item);
		stripe.pay(checkout);
		return checkout;
	}

	private String checkoutOf(String item) {
		return (String) checkout(item, "buy-" + TestIds.uuid()).expectStatus().isCreated().expectBody(Map.class)
			.returnResult().getResponseBody().get("checkout_id");
	}

	private WebTestClient.ResponseSpec checkout(String item, String key) {
		WebTestClient.RequestBodySpec request = user.as(web).post().uri("/v1/checkout-sessions").contentType(MediaType.APPLICATION_JSON);
		if (key != null) {
			request = request.header("Idempotency-Key", key);
		}
		return request.bodyValue(Map.of("item_id", item)).exchange();
	}

	private long available() {
		return ((Number) user.as(web).get().uri("/v1/credits").exchange().expectBody(Map.class).returnResult()
			.getResponseBody().get("available")).longValue();
	}

	/** When Stripe created the delivered event. */
	private static Instant createdAt(WebhookDelivery delivery) {
		return Instant.ofEpochSecond(JsonMapper.shared().readTree(delivery.payload()).path("created").asLong());
	}

	private Instant paidAt(String checkout) {
		return db.sql("select paid_at from payment_transactions where checkout_id = :id").bind("id", checkout)
			.map(row -> row.get("paid_at", OffsetDateTime.class).toInstant()).one().block();
	}

	private String status(String checkout) {
		return db.sql("select status from payment_transactions where checkout_id = :id").bind("id", checkout)
			.map(row -> row.get("status", String.class)).one().block();
	}
}
