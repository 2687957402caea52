package dev.kiln.generations;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.providers.vertex.VertexCircuits;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.vertex.VertexEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator reads every user's generations, and traces one through its events and its hold's ledger
 * entries. The jobs are made by the real flow: the API, the ledger and the Vertex emulator.
 */
@KilnIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestPropertySource(properties = { "kiln.auth.bootstrap-admin.email=operator@example.test",
		"kiln.auth.bootstrap-admin.password=operator-password-1", "kiln.vertex.max-output-tokens=1000",
		"kiln.vertex.routes.text[0].model=gemini-2.5-flash" })
class AdminGenerationsIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	VertexEmulator vertex;

	@Autowired
	ApplicationContext context;

	WebTestClient admin;

	/** Once: the login limit per account would refuse signing the operator in before every test. */
	@BeforeAll
	void signIn() {
		admin = TestUsers.logIn(web, "operator@example.test", "operator-password-1").as(web);
	}

	@BeforeEach
	void reset() {
		vertex.resetFaults();
		VertexCircuits.closeAll(context);
	}

	@AfterEach
	void invariantsHold() {
		vertex.resetFaults();
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void listsEveryUsersGenerationsNewestFirstInPagesWithWhatEachCost() {
		Requester alice = new Requester(web, ledger, db, 100);
		Requester bob = new Requester(web, ledger, db, 100);
		UUID first = text(alice, "name three glazes");
		UUID second = text(alice, "name three clays");
		UUID third = text(alice, "name three kilns");
		UUID bobs = text(bob, "name three cones");

		List<JsonNode> pages = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = get("/admin/generations?user=" + alice.id + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
			pages.add(page);
			cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
		}
		while (cursor != null);
		assertThat(pages).hasSize(2);
		assertThat(pages.stream().flatMap(page -> page.get("generations").valueStream()).map(job -> job.get("id").asString()))
			.containsExactly(third.toString(), second.toString(), first.toString());

		JsonNode job = get("/admin/generations?user=" + alice.id + "&limit=1").get("generations").get(0);
		assertThat(job.get("user_id").asString()).isEqualTo(alice.id.toString());
		assertThat(job.get("kind").asString()).isEqualTo("text");
		assertThat(job.get("status").asString()).isEqualTo("succeeded");
		assertThat(job.get("provider").asString()).isEqualTo("vertex");
		assertThat(job.get("served_by").asString()).isEqualTo("gemini-2.5-flash@europe-west4");
		assertThat(job.get("provider_currency").asString()).isEqualTo("eur");
		assertThat(job.get("provider_cost_micros").asLong()).isPositive();
		assertThat(job.get("cost").asLong()).isPositive().isLessThan(job.get("price").asLong());
		assertThat(job.get("finished_at").isNull()).isFalse();
		assertThat(job.get("created_at").isNull()).isFalse();

		JsonNode everyone = get("/admin/generations?limit=200");
		assertThat(everyone.get("generations").valueStream().map(each -> each.get("id").asString()))
			.contains(bobs.toString(), first.toString());
		assertThat(get("/admin/generations?user=" + bob.id).get("generations").valueStream().map(each -> each.get("id").asString()))
			.containsExactly(bobs.toString());
	}

	@Test
	void jobsCreatedAtTheSameInstantArePagedWithoutGapsOrRepeats() {
		Requester carol = new Requester(web, ledger, db, 100);
		List<String> made = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			made.add(text(carol, "name glaze number " + i).toString());
		}
		db.sql("update generation_jobs set created_at = timestamptz '2026-11-30 12:00:00+00' where user_id = :user")
			.bind("user", carol.id)
			.then()
			.block();

		List<String> paged = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = get("/admin/generations?user=" + carol.id + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
			page.get("generations").valueStream().forEach(job -> paged.add(job.get("id").asString()));
			cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
		}
		while (cursor != null);
		// ties on the instant are broken by id, descending as PostgreSQL orders uuids (by their bytes)
		assertThat(paged).containsExactlyElementsOf(made.stream().sorted(Comparator.reverseOrder()).toList());
	}

	@Test
	void filtersByStatusAndKind() {
		Requester carol = new Requester(web, ledger, db, 100);
		UUID answered = text(carol, "name a glaze");
		vertex.blockPromptsContaining("forbidden");
		carol.request(Map.of("kind", "text", "prompt", "a forbidden glaze"), "gen-" + TestIds.uuid()).expectStatus().isEqualTo(422);

		JsonNode failed = get("/admin/generations?user=" + carol.id + "&status=failed").get("generations");
		assertThat(failed).hasSize(1);
		assertThat(failed.get(0).get("failure_code").asString()).isEqualTo("safety_blocked");
		assertThat(failed.get(0).get("cost").isNull()).isTrue();
		assertThat(get("/admin/generations?user=" + carol.id + "&status=succeeded").get("generations").valueStream()
			.map(job -> job.get("id").asString())).containsExactly(answered.toString());
		assertThat(get("/admin/generations?user=" + carol.id + "&kind=text").get("generations")).hasSize(2);
		assertThat(get("/admin/generations?user=" + carol.id + "&kind=video").get("generations")).isEmpty();
	}

	@Test
	void aTraceShowsTheTimelineAndWhereEveryHeldCreditWent() {
		Requester dave = new Requester(web, ledger, db, 100);
		UUID id = text(dave, "describe a salt glaze");

		JsonNode trace = get("/admin/generations/" + id);
		JsonNode job = trace.get("generation");
		long price = job.get("price").asLong();
		long cost = job.get("cost").asLong();
		assertThat(trace.get("events").valueStream().map(event -> event.get("status").asString()))
			.containsExactly("running", "succeeded");
		assertThat(trace.get("events").valueStream().map(event -> event.get("version").asInt())).containsExactly(1, 2);

		JsonNode hold = trace.get("hold");
		assertThat(hold.get("id").asString()).isEqualTo(job.get("hold_id").asString());
		assertThat(hold.get("account_id").asString()).isEqualTo(dave.id.toString());
		assertThat(hold.get("status").asString()).isEqualTo("posted");
		assertThat(hold.get("amount").asLong()).isEqualTo(price);
		assertThat(hold.get("posted_amount").asLong()).isEqualTo(cost);
		JsonNode entries = hold.get("entries");
		assertThat(entries.valueStream().map(entry -> entry.get("type").asString())).containsExactly("hold", "post");
		assertThat(entries.get(0).get("available_change").asLong()).isEqualTo(-price);
		assertThat(entries.get(0).get("held_change").asLong()).isEqualTo(price);
		assertThat(entries.get(1).get("amount").asLong()).isEqualTo(-cost);
		assertThat(entries.get(1).get("available_change").asLong()).isEqualTo(price - cost);
		assertThat(entries.get(1).get("held_after").asLong()).isZero();
		assertThat(entries.get(1).get("available_after").asLong()).isEqualTo(100 - cost);
	}

	@Test
	void aFailedGenerationsTraceShowsItsHoldVoided() {
		Requester erin = new Requester(web, ledger, db, 100);
		vertex.blockPrompts(true);
		erin.request(Map.of("kind", "text", "prompt", "anything"), "gen-" + TestIds.uuid()).expectStatus().isEqualTo(422);
		String id = get("/admin/generations?user=" + erin.id).get("generations").get(0).get("id").asString();

		JsonNode trace = get("/admin/generations/" + id);
		assertThat(trace.get("events").valueStream().map(event -> event.get("status").asString()))
			.containsExactly("running", "failed");
		assertThat(trace.get("hold").get("status").asString()).isEqualTo("voided");
		assertThat(trace.get("hold").get("entries").valueStream().map(entry -> entry.get("type").asString()))
			.containsExactly("hold", "void");
		assertThat(trace.get("hold").get("entries").get(1).get("available_after").asLong()).isEqualTo(100);
	}

	@Test
	void unknownGenerationsAre404AndBadParametersAre400NamingTheParameter() {
		admin.get().uri("/admin/generations/{id}", TestIds.uuid()).exchange().expectStatus().isNotFound()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.code").isEqualTo("not_found");
		Map.of("/admin/generations?user=someone", "user", "/admin/generations?status=lost", "status",
				"/admin/generations?kind=poem", "kind", "/admin/generations?cursor=forged", "cursor",
				"/admin/generations?limit=0", "limit", "/admin/generations?limit=201", "limit",
				"/admin/generations/not-a-uuid", "id", "/admin/generations?cursor=" + forgedCursor("jobs"), "cursor")
			.forEach((uri, field) -> admin.get().uri(uri).exchange().expectStatus().isBadRequest()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.errors[0].field").isEqualTo(field));
	}

	@Test
	void aUserWhoIsNotAnAdminIsRefused() {
		Requester frank = new Requester(web, ledger, db, 100);
		UUID id = text(frank, "name a kiln");
		WebTestClient user = frank.user.as(web);
		user.get().uri("/admin/generations").exchange().expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		user.get().uri("/admin/generations/{id}", id).exchange().expectStatus().isForbidden();
	}

	private UUID text(Requester requester, String prompt) {
		Map<?, ?> job = requester.request(Map.of("kind", "text", "prompt", prompt, "temperature", 0), "gen-" + TestIds.uuid())
			.expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
		return UUID.fromString((String) job.get("id"));
	}

	private JsonNode get(String uri) {
		return admin.get().uri(uri).exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult()
			.getResponseBody();
	}

	/** Well formed, but at a time PostgreSQL refuses: it must be a 400, not a failed query. */
	private static String forgedCursor(String prefix) {
		return Base64.getUrlEncoder().withoutPadding()
			.encodeToString((prefix + ":-9000000000000000000:" + TestIds.uuid()).getBytes(StandardCharsets.US_ASCII));
	}
}
