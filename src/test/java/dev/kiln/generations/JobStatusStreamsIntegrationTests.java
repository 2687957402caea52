package dev.kiln.generations;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.generations.SseClient.Received;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.runpod.RunpodEmulator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live job status over Server-Sent Events, read by a real streaming client while jobs run through Kafka,
 * the RunPod emulator and S3Proxy. The sweep is run by the tests that need it, so every other event
 * shown here came over the live path.
 */
@KilnIntegrationTest
@TestPropertySource(properties = { "kiln.generations.streams.heartbeat=300ms", "kiln.generations.streams.retry=2500ms",
		"kiln.generations.streams.max-per-user=3", "kiln.generations.streams.sweep-interval=1h" })
@SuppressWarnings("unchecked")
class JobStatusStreamsIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(30);

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	RunpodEmulator runpod;

	@Autowired
	StatusHub hub;

	@Autowired
	MeterRegistry meters;

	@LocalServerPort
	int port;

	Requester alice;

	@BeforeEach
	void fund() {
		runpod.resetFaults();
		alice = new Requester(web, ledger, db, 100);
	}

	@AfterEach
	void invariantsHold() {
		runpod.resetFaults();
		Requester.finishEverything(runpod, db);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void theStreamOfAllJobsShowsAJobsWholeLifeInCommitOrder() throws Exception {
		try (SseClient stream = open(alice, "/v1/generations/events", Map.of())) {
			assertThat(stream.status).isEqualTo(200);
			assertThat(stream.contentType).startsWith("text/event-stream");
			Received hello = stream.next(WAIT);
			assertThat(hello.retry()).isEqualTo("2500");

			UUID job = alice.generate();
			List<Received> life = stream.eventsUntil(event -> event.status().equals("succeeded"), WAIT);

			assertThat(life).extracting(Received::event).containsOnly("status");
			assertThat(life).extracting(Received::status).containsExactlyElementsOf(alice.timeline(job));
			assertThat(life).extracting(Received::version).containsExactlyElementsOf(versions(1, life.size()));
			assertThat(life).extracting(event -> Long.parseLong(event.id())).isSorted().doesNotHaveDuplicates();
			assertThat(life).extracting(event -> event.json().get("progress")).contains(25, 50, 75, 100);
			Map<String, Object> done = life.getLast().json();
			assertThat(done).containsEntry("job_id", job.toString());
			Map<String, Object> view = (Map<String, Object>) done.get("job");
			assertThat(view).containsEntry("status", "succeeded").containsEntry("cost", 5);
			assertThat((List<Map<String, Object>>) view.get("outputs")).singleElement()
				.satisfies(output -> assertThat((String) output.get("url")).startsWith("http"));
			assertThat(life.subList(0, life.size() - 1)).allSatisfy(event -> assertThat(event.json().get("job")).isNull());
		}
	}

	@Test
	void aJobsStreamStartsWithItsStateAndEndsAfterItsTerminalEvent() throws Exception {
		runpod.holdJobs(true);
		UUID job = alice.generate();
		alice.awaitStatus(job, "dispatched");
		try (SseClient stream = open(alice, "/v1/generations/" + job + "/events", Map.of())) {
			List<Received> first = stream.eventsUntil(event -> true, WAIT);
			Received state = first.getFirst();
			assertThat(state.event()).isEqualTo("state");
			assertThat(state.status()).isEqualTo("dispatched");
			assertThat(state.id()).isEqualTo(Integer.toString(state.version()));
			assertThat((Map<String, Object>) state.json().get("job")).containsEntry("id", job.toString());

			release(job);
			List<Received> rest = stream.eventsUntil(event -> event.status().equals("succeeded"), WAIT);
			assertThat(rest).extracting(Received::version)
				.containsExactlyElementsOf(versions(state.version() + 1, rest.size()));
			assertThat(rest).extracting(Received::id).allSatisfy(id -> assertThat(Integer.parseInt(id)).isGreaterThan(state.version()));
			assertThat(stream.endsWithin(WAIT)).as("the stream ends after the terminal event").isTrue();
		}
	}

	@Test
	void resumingWithLastEventIdMissesAndRepeatsNothing() throws Exception {
		runpod.holdJobs(true);
		UUID job = alice.generate();
		alice.awaitStatus(job, "dispatched");
		Received lastSeenOfJob;
		Received lastSeenOfAll;
		try (SseClient one = open(alice, "/v1/generations/" + job + "/events", Map.of());
				SseClient all = open(alice, "/v1/generations/events", Map.of())) {
			lastSeenOfJob = one.eventsUntil(event -> true, WAIT).getLast();
			lastSeenOfAll = all.eventsUntil(event -> true, WAIT).getLast();
		}
		release(job);
		alice.awaitStatus(job, "succeeded");

		try (SseClient one = open(alice, "/v1/generations/" + job + "/events", Map.of("Last-Event-ID", lastSeenOfJob.id()));
				SseClient all = open(alice, "/v1/generations/events", Map.of("Last-Event-ID", lastSeenOfAll.id()))) {
			List<Received> missed = one.eventsUntil(event -> event.status().equals("succeeded"), WAIT);
			List<String> timeline = alice.timeline(job);
			int seen = lastSeenOfJob.version();
			assertThat(missed).extracting(Received::version).containsExactlyElementsOf(versions(seen + 1, timeline.size() - seen));
			assertThat(missed).extracting(Received::status).containsExactlyElementsOf(timeline.subList(seen, timeline.size()));
			assertThat(one.endsWithin(WAIT)).isTrue();

			List<Received> missedOfAll = all.eventsUntil(event -> event.status().equals("succeeded"), WAIT);
			assertThat(missedOfAll).extracting(event -> Long.parseLong(event.id()))
				.containsExactlyElementsOf(sequence(Long.parseLong(lastSeenOfAll.id()) + 1, missedOfAll.size()));
			assertThat(missedOfAll).extracting(Received::status).containsExactlyElementsOf(timeline.subList(seen, timeline.size()));
		}
		// a client that saw the end of a finished job gets nothing more, and the stream ends at once
		String last = Integer.toString(alice.timeline(job).size());
		try (SseClient again = open(alice, "/v1/generations/" + job + "/events", Map.of("Last-Event-ID", last))) {
			assertThat(again.endsWithin(WAIT)).isTrue();
			assertThat(again.seen()).noneMatch(Received::isEvent);
		}
	}

	@Test
	void heartbeatsKeepAnIdleStreamAlive() throws Exception {
		try (SseClient stream = open(alice, "/v1/generations/events", Map.of())) {
			stream.next(WAIT); // the retry hint
			List<Received> beats = new java.util.ArrayList<>();
			while (beats.size() < 5) {
				Received next = stream.next(Duration.ofSeconds(2));
				assertThat(next).as("a heartbeat within 2 s").isNotNull();
				beats.add(next);
			}
			assertThat(beats).extracting(Received::comment).containsOnly("heartbeat");
			for (int i = 1; i < beats.size(); i++) {
				assertThat(Duration.between(beats.get(i - 1).at(), beats.get(i).at())).isLessThan(Duration.ofMillis(900));
			}
		}
	}

	@Test
	void anotherUsersJobStreamIsNotFoundAndBadResumeIdsAreA400() throws Exception {
		runpod.holdJobs(true);
		UUID job = alice.generate();
		Requester bob = new Requester(web, ledger, db, 0);
		Map<String, Double> before = Map.of("404", refused("404"), "401", refused("401"), "400", refused("400"),
				"406", refused("406"));
		bob.user.as(web).get().uri("/v1/generations/{id}/events", job).exchange()
			.expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("not_found");
		web.get().uri("/v1/generations/{id}/events", job).exchange().expectStatus().isUnauthorized();
		alice.user.as(web).get().uri("/v1/generations/{id}/events", job).header("Last-Event-ID", "yesterday").exchange()
			.expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("Last-Event-ID");
		alice.user.as(web).get().uri("/v1/generations/{id}/events", job).accept(MediaType.APPLICATION_JSON).exchange()
			.expectStatus().isEqualTo(406)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		alice.user.as(web).post().uri("/v1/generations/{id}/events", job).exchange()
			.expectStatus().isEqualTo(405)
			.expectHeader().valueEquals("Allow", "GET")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		alice.user.as(web).get().uri("/v1/generations/{id}/events", "not-a-job").exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.code").isEqualTo("invalid_parameter")
			.jsonPath("$.errors[0].field").isEqualTo("id")
			.jsonPath("$.errors[0].reason").isEqualTo("must be a UUID");

		// streams are not in http.server.requests, so their refusals are counted on their own
		before.forEach((status, count) -> assertThat(refused(status)).as(status)
			.isEqualTo(count + (status.equals("400") ? 2 : 1)));
	}

	private double refused(String status) {
		Counter counter = meters.find("kiln.streams.responses").tag("status", status).counter();
		return counter == null ? 0 : counter.count();
	}

	@Test
	void aStreamTicketOpensOneStreamOnceAndNothingElse() throws Exception {
		String ticket = ticket(alice);
		try (SseClient stream = SseClient.open(uri("/v1/generations/events?ticket=" + ticket), Map.of())) {
			assertThat(stream.status).isEqualTo(200);
			assertThat(stream.next(WAIT).retry()).isNotNull();
		}
		try (SseClient reused = SseClient.open(uri("/v1/generations/events?ticket=" + ticket), Map.of())) {
			assertThat(reused.status).isEqualTo(401);
			assertThat(reused.contentType).startsWith("application/problem+json");
		}
		web.get().uri("/v1/generations?ticket={t}", ticket(alice)).exchange().expectStatus().isUnauthorized();
		web.get().uri("/v1/generations/events?ticket={t}", "kiln_st_made-up").exchange().expectStatus().isUnauthorized();

		runpod.holdJobs(true);
		UUID job = alice.generate();
		Requester bob = new Requester(web, ledger, db, 0);
		web.get().uri("/v1/generations/{id}/events?ticket={t}", job, ticket(bob)).exchange().expectStatus().isNotFound();
		try (SseClient mine = SseClient.open(uri("/v1/generations/" + job + "/events?ticket=" + ticket(alice)), Map.of())) {
			assertThat(mine.eventsUntil(event -> true, WAIT).getFirst().event()).isEqualTo("state");
		}
	}

	@Test
	void aUserMayKeepOnlySoManyStreamsOpen() throws Exception {
		try (SseClient one = open(alice, "/v1/generations/events", Map.of());
				SseClient two = open(alice, "/v1/generations/events", Map.of());
				SseClient three = open(alice, "/v1/generations/events", Map.of())) {
			assertThat(List.of(one.status, two.status, three.status)).containsOnly(200);
			one.next(WAIT);
			two.next(WAIT);
			three.next(WAIT);
			alice.user.as(web).get().uri("/v1/generations/events").exchange()
				.expectStatus().isEqualTo(429).expectBody().jsonPath("$.code").isEqualTo("too_many_streams");
			Requester bob = new Requester(web, ledger, db, 0);
			try (SseClient bobs = open(bob, "/v1/generations/events", Map.of())) {
				assertThat(bobs.status).isEqualTo(200);
			}
		}
	}

	private SseClient open(Requester who, String path, Map<String, String> headers) throws Exception {
		Map<String, String> all = new java.util.HashMap<>(headers);
		all.put("Authorization", "Bearer " + who.user.accessToken());
		return SseClient.open(uri(path), all);
	}

	private String ticket(Requester who) {
		Map<?, ?> issued = who.user.as(web).post().uri("/v1/stream-tickets").exchange().expectStatus().isCreated()
			.expectBody(Map.class).returnResult().getResponseBody();
		assertThat(issued.get("expires_in")).isEqualTo(60);
		return (String) issued.get("ticket");
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + port + path);
	}

	private void release(UUID job) {
		runpod.jobs().stream().filter(held -> !held.status().terminal()).forEach(held -> runpod.release(held.id()));
	}

	static List<Integer> versions(int from, int count) {
		return java.util.stream.IntStream.range(from, from + count).boxed().toList();
	}

	static List<Long> sequence(long from, int count) {
		return java.util.stream.LongStream.range(from, from + count).boxed().toList();
	}
}
