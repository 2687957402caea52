package dev.kiln.generations;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.CreditLedger;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.runpod.RunpodEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /v1/generations}: one's own history, newest first, in keyset pages, filtered. */
@KilnIntegrationTest
@SuppressWarnings("unchecked")
class GenerationHistoryIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	RunpodEmulator runpod;

	Requester alice;

	@BeforeEach
	void fund() {
		runpod.resetFaults();
		alice = new Requester(web, ledger, db, 100);
	}

	@AfterEach
	void finish() {
		runpod.resetFaults();
		Requester.finishEverything(runpod, db);
	}

	@Test
	void pagesGoNewestFirstWithoutGapsOrRepeatsAndShowCostTimingsAndLinks() {
		List<UUID> created = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			created.add(alice.generate());
		}
		created.forEach(job -> alice.awaitStatus(job, "succeeded"));

		List<Map<String, Object>> seen = new ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			Map<String, Object> page = history(alice, "limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
			List<Map<String, Object>> generations = (List<Map<String, Object>>) page.get("generations");
			assertThat(generations).hasSizeLessThanOrEqualTo(2);
			seen.addAll(generations);
			cursor = (String) page.get("next_cursor");
			pages++;
		}
		while (cursor != null);

		assertThat(pages).isEqualTo(3);
		assertThat(seen).extracting(job -> UUID.fromString((String) job.get("id")))
			.containsExactlyElementsOf(created.reversed());
		assertThat(seen).allSatisfy(job -> {
			assertThat(job).containsEntry("status", "succeeded").containsEntry("cost", 5).containsEntry("price", 5);
			assertThat(job.get("created_at")).isNotNull();
			assertThat(job.get("finished_at")).isNotNull();
			assertThat((List<Map<String, Object>>) job.get("outputs")).singleElement()
				.satisfies(output -> assertThat((String) output.get("url")).startsWith("http"));
			assertThat((Map<String, Object>) job.get("links")).containsKeys("self", "events", "cancel");
		});
	}

	@Test
	void filtersByStatusAndKindAndShowsNothingOfOtherUsers() {
		runpod.holdJobs(true);
		UUID kept = alice.generate();
		UUID canceled = alice.generate();
		alice.user.as(web).post().uri("/v1/generations/{id}/cancel", canceled).exchange().expectStatus().isOk();

		assertThat(ids(history(alice, "status=canceled"))).containsExactly(canceled.toString());
		assertThat(ids(history(alice, "kind=video"))).containsExactly(canceled.toString(), kept.toString());
		assertThat(ids(history(alice, "kind=image"))).isEmpty();
		Requester bob = new Requester(web, ledger, db, 0);
		assertThat(ids(history(bob, ""))).isEmpty();
	}

	@Test
	void badQueriesAre400sNamingTheParameter() {
		for (String[] bad : new String[][] { { "status=done", "status" }, { "kind=audio", "kind" },
				{ "limit=0", "limit" }, { "limit=101", "limit" }, { "cursor=bm90LWEtY3Vyc29y", "cursor" },
				{ "cursor=***", "cursor" } }) {
			alice.user.as(web).get().uri("/v1/generations?" + bad[0]).exchange()
				.expectStatus().isBadRequest()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.errors[0].field").isEqualTo(bad[1]);
		}
	}

	private Map<String, Object> history(Requester who, String query) {
		return who.user.as(web).get().uri("/v1/generations?" + query).exchange().expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
	}

	private static List<String> ids(Map<String, Object> page) {
		return ((List<Map<String, Object>>) page.get("generations")).stream().map(job -> (String) job.get("id")).toList();
	}
}
