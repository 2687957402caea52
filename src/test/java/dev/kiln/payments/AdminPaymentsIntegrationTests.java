package dev.kiln.payments;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.stripe.CheckoutPayment;
import dev.kiln.testing.stripe.StripeEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator reads every user's payments, made by the real flow: the API, Stripe's emulator, its webhooks. */
@KilnIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = { "kiln.auth.bootstrap-admin.email=operator@example.test",
		"kiln.auth.bootstrap-admin.password=operator-password-1" })
class AdminPaymentsIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	StripeEmulator stripe;

	@Autowired
	DatabaseClient db;

	@Autowired
	CreditLedger ledger;

	WebTestClient admin;

	/** Once: the login limit per account would refuse signing the operator in before every test. */
	@BeforeAll
	void signIn() {
		admin = TestUsers.logIn(web, "operator@example.test", "operator-password-1").as(web);
	}

	@BeforeEach
	void reset() {
		stripe.resetWebhookFaults();
	}

	@AfterEach
	void invariantsHold() {
		stripe.awaitWebhooksIdle(Buyer.WAIT);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void listsEveryUsersPaymentsNewestFirstInPagesWithTheProvidersIds() {
		Buyer ann = new Buyer(web, stripe, db, ledger);
		Buyer ben = new Buyer(web, stripe, db, ledger);
		CheckoutPayment paid = ann.buy("pack-100");
		String abandoned = ann.checkout("pack-100");
		String third = ann.checkout("pack-100");
		CheckoutPayment bens = ben.buy("pack-100");

		List<JsonNode> pages = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = get("/admin/payments?user=" + ann.id + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
			pages.add(page);
			cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
		}
		while (cursor != null);
		assertThat(pages).hasSize(2);
		assertThat(pages.stream().flatMap(page -> page.get("payments").valueStream()).map(payment -> payment.get("checkout_id").asString()))
			.containsExactly(third, abandoned, paid.sessionId());

		JsonNode payment = get("/admin/payments?user=" + ann.id + "&status=paid").get("payments").get(0);
		assertThat(payment.get("user_id").asString()).isEqualTo(ann.id.toString());
		assertThat(payment.get("provider").asString()).isEqualTo("stripe");
		assertThat(payment.get("kind").asString()).isEqualTo("pack");
		assertThat(payment.get("item_id").asString()).isEqualTo("pack-100");
		assertThat(payment.get("amount").asLong()).isEqualTo(799);
		assertThat(payment.get("currency").asString()).isEqualTo("eur");
		assertThat(payment.get("credits").asLong()).isEqualTo(100);
		assertThat(payment.get("payment_intent").asString()).isEqualTo(paid.paymentIntentId());
		assertThat(payment.get("paid_at").isNull()).isFalse();
		assertThat(payment.get("checkout_url")).isNull();

		assertThat(get("/admin/payments?user=" + ann.id + "&status=pending").get("payments").valueStream()
			.map(each -> each.get("checkout_id").asString())).containsExactly(third, abandoned);
		assertThat(get("/admin/payments?user=" + ann.id + "&status=pending").get("payments").get(0).get("paid_at").isNull()).isTrue();
		assertThat(get("/admin/payments?status=paid&limit=200").get("payments").valueStream()
			.map(each -> each.get("checkout_id").asString())).contains(paid.sessionId(), bens.sessionId());
	}

	@Test
	void aRefundShowsWhatWentBackAndTheCreditsThatAnsweredForIt() {
		Buyer cat = new Buyer(web, stripe, db, ledger);
		CheckoutPayment payment = cat.buy("pack-100");
		cat.spend(70);
		stripe.refund(payment.chargeId(), 799);
		cat.awaitDelivered("charge.refunded", payment.chargeId());

		JsonNode refunded = get("/admin/payments?user=" + cat.id + "&status=refunded").get("payments").get(0);
		assertThat(refunded.get("refunded_amount").asLong()).isEqualTo(799);
		assertThat(refunded.get("credits_clawed_back").asLong()).isEqualTo(30);
		assertThat(refunded.get("credits_written_off").asLong()).isEqualTo(70);
		assertThat(refunded.get("paid_at").isNull()).isFalse();
	}

	@Test
	void badParametersAre400NamingTheParameterAndUsersWhoAreNotAdminsAreRefused() {
		Map.of("/admin/payments?user=someone", "user", "/admin/payments?status=lost", "status",
				"/admin/payments?cursor=forged", "cursor", "/admin/payments?limit=0", "limit", "/admin/payments?limit=201", "limit",
				"/admin/payments?cursor=" + Base64.getUrlEncoder().withoutPadding()
					.encodeToString(("payments:-9000000000000000000:" + TestIds.uuid()).getBytes(StandardCharsets.US_ASCII)), "cursor")
			.forEach((uri, field) -> admin.get().uri(uri).exchange().expectStatus().isBadRequest()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.errors[0].field").isEqualTo(field));
		new Buyer(web, stripe, db, ledger).user.as(web).get().uri("/admin/payments").exchange().expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	private JsonNode get(String uri) {
		return admin.get().uri(uri).exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult()
			.getResponseBody();
	}
}
