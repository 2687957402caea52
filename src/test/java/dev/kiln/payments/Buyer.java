package dev.kiln.payments;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.Held;
import dev.kiln.credits.HoldRequest;
import dev.kiln.credits.HoldResult;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Posted;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import dev.kiln.testing.stripe.CheckoutPayment;
import dev.kiln.testing.stripe.StripeEmulator;

import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** A signed-up user who buys through the API and the Stripe emulator, and spends through the ledger. */
final class Buyer {

	static final Duration WAIT = Duration.ofSeconds(20);

	private final WebTestClient web;

	private final StripeEmulator stripe;

	private final DatabaseClient db;

	private final CreditLedger ledger;

	final SignedIn user;

	final UUID id;

	Buyer(WebTestClient web, StripeEmulator stripe, DatabaseClient db, CreditLedger ledger) {
		this.web = web;
		this.stripe = stripe;
		this.db = db;
		this.ledger = ledger;
		this.user = TestUsers.signUpAndLogIn(web);
		this.id = UUID.fromString((String) user.as(web).get().uri("/v1/me").exchange().expectBody(Map.class)
			.returnResult().getResponseBody().get("id"));
	}

	/** Starts a checkout for the item and returns its id. */
	String checkout(String item) {
		return (String) checkoutRequest(item).expectStatus().isCreated().expectBody(Map.class).returnResult()
			.getResponseBody().get("checkout_id");
	}

	WebTestClient.ResponseSpec checkoutRequest(String item) {
		return user.as(web).post().uri("/v1/checkout-sessions").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", "buy-" + TestIds.uuid())
			.bodyValue(Map.of("item_id", item)).exchange();
	}

	/** Checks out and pays the item, then waits until Kiln has received the completion. */
	CheckoutPayment buy(String item) {
		String checkout = checkout(item);
		CheckoutPayment payment = stripe.pay(checkout);
		awaitDelivered("checkout.session.completed", checkout);
		return payment;
	}

	void awaitDelivered(String type, String objectId) {
		stripe.awaitDelivery(delivery -> delivery.eventType().equals(type) && delivery.payload().contains(objectId)
				&& delivery.succeeded(), WAIT);
	}

	long available() {
		return ((Number) user.as(web).get().uri("/v1/credits").exchange().expectBody(Map.class).returnResult()
			.getResponseBody().get("available")).longValue();
	}

	HoldResult hold(long amount) {
		return ledger.hold(new HoldRequest(IdempotencyKey.of("test-hold-" + TestIds.uuid()), new AccountId(id),
				Credits.of(amount), Instant.now().plus(Duration.ofHours(1)), "a test generation", null)).block();
	}

	/** Spends {@code amount} as a generation would: hold, then post it all. */
	void spend(long amount) {
		HoldResult held = hold(amount);
		assertThat(held).isInstanceOf(Held.class);
		assertThat(ledger.post(IdempotencyKey.of("test-post-" + TestIds.uuid()), ((Held) held).hold(), Credits.of(amount))
			.block()).isInstanceOf(Posted.class);
	}

	List<Map<String, Object>> payments() {
		return user.as(web).get().uri("/v1/payments").exchange().expectStatus().isOk()
			.expectBodyList(new org.springframework.core.ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
	}

	/** The payments row for this checkout, payment intent or invoice. */
	Map<String, Object> payment(String reference) {
		return db.sql("select * from payment_transactions where :ref in (checkout_id, payment_intent, invoice_id)")
			.bind("ref", reference)
			.fetch()
			.one()
			.block();
	}

	List<String> spendingLocks() {
		return db.sql("select reason from spending_locks where account_id = :id order by created_at")
			.bind("id", id)
			.map(row -> row.get("reason", String.class))
			.all()
			.collectList()
			.block();
	}
}
