package dev.kiln.admin;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.LedgerInvariants;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import dev.kiln.testing.stripe.StripeEmulator;
import dev.kiln.testing.vertex.VertexEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cost report over data the real flows made: a pack bought through Stripe's emulator, text
 * generations answered (and one refused) by the Vertex emulator. Both sides are in euros here, so the
 * margin is given.
 */
@KilnIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = { "kiln.auth.bootstrap-admin.email=operator@example.test",
		"kiln.auth.bootstrap-admin.password=operator-password-1", "kiln.vertex.max-output-tokens=1000",
		"kiln.vertex.routes.text[0].model=gemini-2.5-flash" })
class AdminCostsIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	StripeEmulator stripe;

	@Autowired
	VertexEmulator vertex;

	@Autowired
	DatabaseClient db;

	WebTestClient admin;

	/** Once: the login limit per account would refuse signing the operator in before every test. */
	@BeforeAll
	void signIn() {
		admin = TestUsers.logIn(web, "operator@example.test", "operator-password-1").as(web);
	}

	@AfterEach
	void invariantsHold() {
		vertex.resetFaults();
		stripe.awaitWebhooksIdle(Duration.ofSeconds(20));
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void eachDayShowsGenerationsByKindAndModelAndTheRevenueAndTheTotalsGiveTheMarginInTheOneCurrency() {
		SignedIn user = TestUsers.signUpAndLogIn(web);
		String checkout = (String) user.as(web).post().uri("/v1/checkout-sessions").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", "buy-" + TestIds.uuid()).bodyValue(Map.of("item_id", "pack-100")).exchange()
			.expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("checkout_id");
		stripe.pay(checkout);
		stripe.awaitDelivery(delivery -> delivery.eventType().equals("checkout.session.completed")
				&& delivery.payload().contains(checkout) && delivery.succeeded(), Duration.ofSeconds(20));
		text(user, "name three glazes").expectStatus().isOk();
		text(user, "name three clays").expectStatus().isOk();
		vertex.blockPromptsContaining("forbidden");
		text(user, "a forbidden glaze").expectStatus().isEqualTo(422);
		UUID userId = UUID.fromString(user.as(web).get().uri("/v1/me").exchange().expectBody(Map.class).returnResult()
			.getResponseBody().get("id").toString());
		JsonNode jobs = get("/admin/generations?user=" + userId + "&status=succeeded").get("generations");
		long posted = jobs.valueStream().mapToLong(job -> job.get("cost").asLong()).sum();
		long providerCost = jobs.valueStream().mapToLong(job -> job.get("provider_cost_micros").asLong()).sum();

		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		JsonNode report = get("/admin/costs?from=" + today.minusDays(1) + "&to=" + today.plusDays(1));

		assertThat(report.get("days").valueStream().map(day -> day.get("day").asString()))
			.containsExactly(today.minusDays(1).toString(), today.toString(), today.plusDays(1).toString());
		List<JsonNode> generations = report.get("days").valueStream().flatMap(day -> day.get("generations").valueStream()).toList();
		JsonNode answered = generations.stream().filter(row -> row.get("model").asString().equals("gemini-2.5-flash")).findFirst().orElseThrow();
		assertThat(answered.get("kind").asString()).isEqualTo("text");
		assertThat(answered.get("currency").asString()).isEqualTo("eur");
		assertThat(answered.get("count").asLong()).isEqualTo(2);
		assertThat(answered.get("succeeded").asLong()).isEqualTo(2);
		assertThat(answered.get("credits_posted").asLong()).isEqualTo(posted).isPositive();
		assertThat(answered.get("provider_cost_micros").asLong()).isEqualTo(providerCost).isPositive();
		JsonNode refused = generations.stream().filter(row -> row.get("succeeded").asLong() == 0).findFirst().orElseThrow();
		assertThat(refused.get("count").asLong()).isEqualTo(1);
		assertThat(refused.get("credits_posted").asLong()).isZero();
		assertThat(refused.get("currency").isNull()).isTrue();
		assertThat(generations).hasSize(2);

		List<JsonNode> revenue = report.get("days").valueStream().flatMap(day -> day.get("revenue").valueStream()).toList();
		assertThat(revenue).hasSize(1);
		assertThat(revenue.getFirst().get("currency").asString()).isEqualTo("eur");
		assertThat(revenue.getFirst().get("amount_minor").asLong()).isEqualTo(799);
		assertThat(revenue.getFirst().get("credits_sold").asLong()).isEqualTo(100);

		JsonNode total = report.get("totals").get(0);
		assertThat(report.get("totals")).hasSize(1);
		assertThat(total.get("currency").asString()).isEqualTo("eur");
		assertThat(total.get("revenue_minor").asLong()).isEqualTo(799);
		assertThat(total.get("provider_cost_micros").asLong()).isEqualTo(providerCost);
		assertThat(total.get("margin_micros").asLong()).isEqualTo(7_990_000 - providerCost);
		assertThat(report.get("uncosted_generations").asLong()).isZero();
	}

	@Test
	void theRangeDefaultsToTheLast30DaysAndIsAtMost366() {
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		JsonNode standard = get("/admin/costs");
		assertThat(standard.get("from").asString()).isEqualTo(today.minusDays(29).toString());
		assertThat(standard.get("to").asString()).isEqualTo(today.toString());
		assertThat(standard.get("days")).hasSize(30);
		assertThat(get("/admin/costs?to=2025-03-01").get("from").asString()).isEqualTo("2025-01-31");
		assertThat(get("/admin/costs?from=2024-01-01&to=2024-12-31").get("days")).hasSize(366);
		assertThat(get("/admin/costs?from=2025-05-05&to=2025-05-05").get("days")).hasSize(1);
	}

	@Test
	void badRangesAre400NamingTheParameterAndUsersWhoAreNotAdminsAreRefused() {
		Map.of("/admin/costs?from=yesterday", "from", "/admin/costs?to=2025-02-30", "to",
				"/admin/costs?from=2025-03-02&to=2025-03-01", "from", "/admin/costs?from=2024-01-01&to=2025-01-01", "to",
				"/admin/costs?from=-0001-01-01&to=2025-01-01", "from", "/admin/costs?from=9999-12-31&to=10000-01-01", "to")
			.forEach((uri, field) -> admin.get().uri(uri).exchange().expectStatus().isBadRequest()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.errors[0].field").isEqualTo(field));
		TestUsers.signUpAndLogIn(web).as(web).get().uri("/admin/costs").exchange().expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	private WebTestClient.ResponseSpec text(SignedIn user, String prompt) {
		return user.as(web).post().uri("/v1/generations").contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", "gen-" + TestIds.uuid())
			.bodyValue(Map.of("kind", "text", "prompt", prompt, "temperature", 0)).exchange();
	}

	private JsonNode get(String uri) {
		return admin.get().uri(uri).exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult()
			.getResponseBody();
	}
}
