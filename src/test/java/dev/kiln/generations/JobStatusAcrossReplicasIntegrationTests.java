package dev.kiln.generations;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.generations.SseClient.Received;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SecondInstance;
import dev.kiln.testing.runpod.JobStatus;
import dev.kiln.testing.runpod.RunpodEmulator;
import dev.kiln.testing.runpod.RunpodJob;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import reactor.core.Disposable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams across replicas and under bad clients: a second Kiln instance sharing PostgreSQL, Redis and
 * Kafka finishes jobs whose streams are open on this one; lost pub/sub messages; a client that stops
 * reading; clients that go away. The sweep runs only when a test runs it.
 */
@KilnIntegrationTest
@Isolated("a second Kiln instance takes much of two cores: classes running beside it time out")
@TestPropertySource(properties = { "kiln.generations.streams.sweep-interval=1h", "kiln.generations.streams.max-per-user=5" })
class JobStatusAcrossReplicasIntegrationTests {

	static final Duration WAIT = Duration.ofSeconds(30);

	static SecondInstance other;

	@Autowired
	ConfigurableEnvironment environment;

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
	StatusSweep sweep;

	@Autowired
	StatusFanOut fanOut;

	@Autowired
	ReactiveRedisMessageListenerContainer listeners;

	@Autowired
	JsonMapper json;

	@Value("${kiln.generations.streams.channel}")
	String channel;

	@LocalServerPort
	int port;

	Requester alice;

	@BeforeEach
	void fund() {
		runpod.resetFaults();
		alice = new Requester(web, ledger, db, 100);
		if (other == null) {
			other = SecondInstance.sharing(environment);
		}
	}

	@AfterEach
	void invariantsHold() {
		if (!fanOut.isRunning()) {
			fanOut.start();
		}
		runpod.resetFaults();
		Requester.finishEverything(runpod, db);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@AfterAll
	static void stopTheOtherInstance() {
		if (other != null) {
			other.close();
			other = null;
		}
	}

	@Test
	void eventsAnnouncedTogetherReachTheOtherReplicasAsOneMessageEachInTheirOrder() {
		UUID job = UUID.randomUUID();
		UUID user = UUID.randomUUID();
		Instant at = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
		List<JobEvent> events = List.of(new JobEvent(job, user, 2, 7, "dispatched", 0, "sent to RunPod", at),
				new JobEvent(job, user, 3, 8, "running", 40, null, at.plusMillis(1)),
				new JobEvent(job, user, 4, 9, "succeeded", 100, null, at.plusMillis(2)));
		List<JobEvent> heard = java.util.Collections.synchronizedList(new ArrayList<>());
		Disposable listening = listeners.receiveLater(ChannelTopic.of(channel))
			.block(WAIT)
			.map(message -> json.readValue(message.getMessage(), JobEvent.class))
			.filter(event -> event.jobId().equals(job))
			.subscribe(heard::add);
		try {
			fanOut.afterCommit(events).block(WAIT);

			Awaitility.await().atMost(WAIT).until(() -> heard.size() == 3);
			assertThat(heard).containsExactlyElementsOf(events);
		}
		finally {
			listening.dispose();
		}
	}

	@Test
	void aSubscriberHereSeesEveryStepOfAJobWhoseWebhookTheOtherReplicaReceived() throws Exception {
		runpod.dropWebhooks(true);
		try (SseClient stream = open(alice, "/v1/generations/events")) {
			UUID job = alice.generate();
			deliverWebhookTo(other, job);

			List<Received> life = stream.eventsUntil(event -> event.status().equals("succeeded"), WAIT);
			assertThat(life).extracting(Received::status).containsExactlyElementsOf(alice.timeline(job));
			assertThat(life.getLast().json()).containsKey("job");
		}
	}

	@Test
	void aLostFanOutMessageIsFoundByTheSweepTerminalStateIncluded() throws Exception {
		runpod.dropWebhooks(true);
		UUID job = alice.generate();
		RunpodJob done = completedAtRunpod(job);
		try (SseClient stream = open(alice, "/v1/generations/" + job + "/events")) {
			Received state = stream.eventsUntil(event -> true, WAIT).getFirst();
			assertThat(state.status()).isEqualTo("running");
			fanOut.stop(); // this replica now hears nothing from the others
			deliverWebhookTo(other, job, done);

			assertThat(stream.next(Duration.ofSeconds(1))).as("nothing can arrive without the channel").isNull();
			sweep.sweep().block();
			List<Received> rest = stream.eventsUntil(event -> event.status().equals("succeeded"), WAIT);
			assertThat(rest).extracting(Received::version).containsExactly(state.version() + 1);
			assertThat(stream.endsWithin(WAIT)).isTrue();
		}
	}

	@Test
	void aClientThatStopsReadingDoesNotHoldUpOthersAndGoneClientsAreCleanedUpAtOnce() throws Exception {
		int before = hub.openStreams();
		try (Socket stalled = stalledStream(alice); SseClient reader = open(alice, "/v1/generations/events")) {
			Awaitility.await().atMost(WAIT).until(() -> hub.openStreams() == before + 2);
			List<UUID> jobs = new ArrayList<>();
			for (int i = 0; i < 12; i++) {
				jobs.add(alice.generate());
			}
			List<Received> events = reader.eventsUntil(new Finished(jobs.size()), WAIT);
			assertThat(events).filteredOn(event -> event.status().equals("succeeded")).hasSize(jobs.size());
			assertThat(events).extracting(event -> Long.parseLong(event.id())).isSorted().doesNotHaveDuplicates();
			assertThat(hub.openStreams()).isEqualTo(before + 2);
		}
		Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> hub.openStreams() == before);
	}

	/** Whether all of {@code count} jobs have finished, counting succeeded events as they come. */
	static final class Finished implements java.util.function.Predicate<Received> {

		private final int count;

		private int seen;

		Finished(int count) {
			this.count = count;
		}

		@Override
		public boolean test(Received event) {
			return event.status().equals("succeeded") && ++seen == count;
		}
	}

	/** Opens the stream of all of the user's jobs on a raw socket, and never reads from it. */
	private Socket stalledStream(Requester who) throws Exception {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(1024);
		socket.connect(new InetSocketAddress("localhost", port));
		OutputStream out = socket.getOutputStream();
		out.write(("GET /v1/generations/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
				+ "Authorization: Bearer " + who.user.accessToken() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		out.flush();
		return socket;
	}

	private RunpodJob completedAtRunpod(UUID job) {
		String providerId = Awaitility.await().atMost(WAIT).until(() -> db
			.sql("select provider_job_id from generation_jobs where id = :id and status = 'running'")
			.bind("id", job).map(row -> row.get("provider_job_id", String.class)).one().block(), id -> id != null);
		return runpod.awaitJob(providerId, JobStatus.COMPLETED, WAIT);
	}

	private void deliverWebhookTo(SecondInstance instance, UUID job) throws Exception {
		deliverWebhookTo(instance, job, completedAtRunpod(job));
	}

	/** What RunPod would POST to the job's webhook, sent to the other instance (as a load balancer might). */
	private void deliverWebhookTo(SecondInstance instance, UUID job, RunpodJob done) throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		String status = http.send(HttpRequest.newBuilder(URI.create(runpod.baseUrl() + "/v2/" + runpod.endpointId()
				+ "/status/" + done.id())).header("Authorization", "Bearer " + runpod.apiKey()).build(),
				HttpResponse.BodyHandlers.ofString()).body();
		URI webhook = done.webhook();
		URI there = new URI(webhook.getScheme(), null, webhook.getHost(), instance.port(), webhook.getPath(),
				webhook.getQuery(), null);
		HttpResponse<String> answer = http.send(HttpRequest.newBuilder(there).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(status)).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(answer.body()).contains("succeeded");
	}

	private SseClient open(Requester who, String path) throws Exception {
		Map<String, String> headers = new HashMap<>();
		headers.put("Authorization", "Bearer " + who.user.accessToken());
		return SseClient.open(URI.create("http://localhost:" + port + path), headers);
	}
}
