package dev.kiln.testing.runpod;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.kiln.testing.InProcessS3;
import dev.kiln.testing.JsonTrees;
import dev.kiln.testing.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

class RunpodEmulatorTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final SettableClock clock = new SettableClock();

	private final RunpodEmulator runpod = RunpodEmulator.start(clock);

	private final CallbackReceiver kiln = CallbackReceiver.start();

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	RunpodEmulatorTests() {
		runpod.queueDelay(Duration.ofMillis(10));
		runpod.stepDelay(Duration.ofMillis(10));
		runpod.webhookRetries(3, Duration.ofMillis(100));
	}

	@AfterEach
	void close() {
		runpod.close();
		kiln.close();
		http.close();
	}

	@Test
	void everyCallNeedsTheApiKey() throws Exception {
		String health = runpod.baseUrl() + "/v2/" + runpod.endpointId() + "/health";
		for (String authorization : new String[] { null, "Bearer wrong", "Bearer " }) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(health));
			if (authorization != null) {
				request.header("Authorization", authorization);
			}
			HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(401);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
			assertThat(JSON.readTree(response.body()).get("error").asString()).contains("API key");
		}
		String endpoint = "/v2/" + runpod.endpointId();
		assertThat(call("POST", endpoint + "/run", "{\"input\":{}}", "wrong").status()).isEqualTo(401);
		assertThat(runpod.jobs()).isEmpty();
		assertThat(call("GET", endpoint + "/health", null, runpod.apiKey()).status()).as("the bare key works too")
			.isEqualTo(200);
		assertThat(runpod.apiKey()).startsWith("rpa_");
	}

	@Test
	void aJobQueuesReportsProgressUploadsItsRenderAndSendsTheWebhook() throws Exception {
		runpod.queueDelay(Duration.ofMillis(300));
		Instant before = clock.instant();
		Response accepted = run(input(), kiln.uri("/webhooks/runpod/1"), Map.of("executionTimeout", 60_000));
		assertThat(accepted.status()).isEqualTo(200);
		String id = (String) accepted.json().get("id");
		assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-u1");
		assertThat(accepted.json()).containsOnly(entry("id", id), entry("status", "IN_QUEUE"));
		assertThat(status(id).json()).containsEntry("status", "IN_QUEUE").doesNotContainKey("workerId");
		assertThat(runpod.runRequests()).singleElement().satisfies(request -> {
			assertThat(request.jobId()).isEqualTo(id);
			assertThat(request.endpointId()).isEqualTo(runpod.endpointId());
			assertThat(request.receivedAt()).isBetween(before, clock.instant());
		});

		runpod.awaitJob(id, JobStatus.IN_PROGRESS, TIMEOUT);
		assertThat(status(id).json()).containsEntry("status", "IN_PROGRESS").containsKey("workerId");
		RunpodJob done = runpod.awaitJob(id, JobStatus.COMPLETED, TIMEOUT);

		byte[] expected = RunpodEmulator.rendered(id, "video");
		CallbackReceiver.Received upload = kiln.await("/uploads/video.mp4", 1, TIMEOUT).getFirst();
		assertThat(upload.method()).isEqualTo("PUT");
		assertThat(upload.contentType()).isEqualTo("video/mp4");
		assertThat(upload.body()).isEqualTo(expected).hasSizeBetween(2048, 8192);
		assertThat(Arrays.copyOfRange(upload.body(), 4, 12)).asString(StandardCharsets.US_ASCII).isEqualTo("ftypisom");
		assertThat(kiln.received("/progress/1")).extracting(CallbackReceiver.Received::text)
			.containsExactly("{\"progress\":25}", "{\"progress\":50}", "{\"progress\":75}");
		assertThat(kiln.received("/progress/1")).extracting(CallbackReceiver.Received::contentType)
			.containsOnly("application/json");

		Map<String, Object> status = status(id).json();
		assertThat(status).containsOnlyKeys("delayTime", "executionTime", "id", "output", "status", "workerId")
			.containsEntry("id", id)
			.containsEntry("status", "COMPLETED")
			.containsEntry("output", Map.of("outputs", List.of(Map.of("name", "video", "size", expected.length,
					"content_type", "video/mp4"))));
		assertThat(((Number) status.get("delayTime")).longValue()).isGreaterThanOrEqualTo(250);
		assertThat(done.progress()).containsExactly(25, 50, 75);
		assertThat(done.uploads()).singleElement().satisfies(u -> assertThat(u.status()).isEqualTo(200));

		WebhookDelivery delivery = runpod.awaitDelivery(d -> d.jobId().equals(id), TIMEOUT);
		assertThat(delivery.url()).isEqualTo(kiln.uri("/webhooks/runpod/1"));
		assertThat(delivery.succeeded()).isTrue();
		CallbackReceiver.Received webhook = kiln.await("/webhooks/runpod/1", 1, TIMEOUT).getFirst();
		assertThat(webhook.method()).isEqualTo("POST");
		assertThat(webhook.contentType()).isEqualTo("application/json");
		assertThat(JSON.readValue(webhook.body(), Map.class)).isEqualTo(status);
	}

	@Test
	void badRequestsAreRefusedAndCreateNoJob() throws Exception {
		assertThat(api("POST", "/run", "{\"webhook\":\"" + kiln.uri("/w") + "\"}").status()).isEqualTo(400);
		assertThat(api("POST", "/run", "not json").status()).isEqualTo(400);
		Response unknownEndpoint = call("POST", "/v2/nosuchendpoint/run", "{\"input\":{}}", bearer());
		assertThat(unknownEndpoint.status()).isEqualTo(404);
		assertThat(unknownEndpoint.json()).containsKey("error");
		Response offMachine = run(input(), URI.create("http://10.20.30.40/webhooks/runpod"), null);
		assertThat(offMachine.status()).isEqualTo(400);
		assertThat((String) offMachine.json().get("error")).contains("loopback");
		Map<String, Object> s3 = Map.of("workflow", "wan", "outputs", List.of(Map.of("name", "video",
				"content_type", "video/mp4", "upload_url", "https://10.20.30.40/bucket/key?X-Amz-Signature=x")));
		assertThat(run(s3, null, null).status()).isEqualTo(400);
		assertThat(run(input(), null, Map.of("executionTimeout", -1)).status()).isEqualTo(400);
		assertThat(status("00000000-0000-0000-0000-000000000000-u1").status()).isEqualTo(404);
		assertThat(runpod.jobs()).isEmpty();
		assertThat(runpod.runRequests()).isEmpty();
	}

	@Test
	void anInputTheHandlerCannotUseOrARefusedUploadFailsTheJob() throws Exception {
		String unusable = id(run(Map.of("prompt", Map.of()), kiln.uri("/webhooks/runpod/1"), null));
		assertThat(runpod.awaitJob(unusable, JobStatus.FAILED, TIMEOUT).error()).contains("workflow", "outputs");

		kiln.answer("/uploads/video.mp4", 403);
		String refused = id(run(input(), kiln.uri("/webhooks/runpod/2"), null));
		assertThat(runpod.awaitJob(refused, JobStatus.FAILED, TIMEOUT).error())
			.isEqualTo("Upload of output 'video' failed: HTTP 403");
		CallbackReceiver.Received webhook = kiln.await("/webhooks/runpod/2", 1, TIMEOUT).getFirst();
		assertThat(JSON.readValue(webhook.body(), Map.class)).containsEntry("status", "FAILED")
			.containsEntry("error", "Upload of output 'video' failed: HTTP 403")
			.doesNotContainKey("output");
	}

	@Test
	void cancelStopsAnUnfinishedJobAndLeavesAFinishedOneAsItWas() throws Exception {
		String finished = id(run(input(), null, null));
		runpod.awaitJob(finished, JobStatus.COMPLETED, TIMEOUT);
		runpod.queueDelay(Duration.ofSeconds(30));
		String queued = id(run(input(), kiln.uri("/webhooks/runpod/1"), null));

		Response cancelled = api("POST", "/cancel/" + queued, null);
		assertThat(cancelled.json()).containsOnly(entry("id", queued), entry("status", "CANCELLED"));
		assertThat(status(queued).json()).containsEntry("status", "CANCELLED");
		assertThat(api("POST", "/cancel/" + finished, null).json()).containsEntry("status", "COMPLETED");
		assertThat(api("POST", "/cancel/00000000-0000-0000-0000-000000000000-u1", null).status())
			.isEqualTo(404);
		assertThat(api("GET", "/cancel/" + queued, null).status()).isEqualTo(405);

		assertThat(runpod.job(queued).cancelRequested()).isTrue();
		assertThat(runpod.job(finished)).satisfies(job -> {
			assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
			assertThat(job.cancelRequested()).isTrue();
		});
		assertThat(runpod.cancelRequests()).extracting(CancelRequest::jobId, CancelRequest::answered)
			.containsExactly(tuple(queued, JobStatus.CANCELLED),
					tuple(finished, JobStatus.COMPLETED));
		Thread.sleep(100);
		assertThat(runpod.deliveries()).as("no webhook for a cancelled job").isEmpty();
	}

	@Test
	void healthCountsJobsByStateAndWarmWorkers() throws Exception {
		runpod.holdJobs(true);
		String first = id(run(input(), null, null));
		String second = id(run(input(), null, null));
		runpod.awaitJob(first, JobStatus.IN_PROGRESS, TIMEOUT);
		runpod.awaitJob(second, JobStatus.IN_PROGRESS, TIMEOUT);
		runpod.queueDelay(Duration.ofSeconds(30));
		id(run(input(), null, null));
		assertThat(health()).isEqualTo(Map.of("jobs", Map.of("completed", 0, "failed", 0, "inProgress", 2,
				"inQueue", 1, "retried", 0), "workers", Map.of("idle", 0, "running", 2)));

		runpod.release(first);
		runpod.awaitJob(first, JobStatus.COMPLETED, TIMEOUT);
		assertThat(health()).isEqualTo(Map.of("jobs", Map.of("completed", 1, "failed", 0, "inProgress", 1,
				"inQueue", 1, "retried", 0), "workers", Map.of("idle", 1, "running", 1)));
	}

	@Test
	void failedRunRequestsCreateNoJobUntilTheyAreUsedUp() throws Exception {
		runpod.failRunRequests(2, 503);
		assertThat(run(input(), null, null).status()).isEqualTo(503);
		Response second = run(input(), null, null);
		assertThat(second.status()).isEqualTo(503);
		assertThat(second.json()).containsEntry("error", "Service Unavailable");
		assertThat(run(input(), null, null).status()).isEqualTo(200);
		runpod.failRunRequests(1, 429);
		Response limited = run(input(), null, null);
		assertThat(limited.status()).isEqualTo(429);
		assertThat((String) limited.json().get("error")).startsWith("Too Many Requests");
		assertThat(runpod.jobs()).hasSize(1);
		assertThat(runpod.runRequests()).hasSize(1);
	}

	@Test
	void slowResponsesDelayEveryAnswer() throws Exception {
		runpod.slowResponses(Duration.ofMillis(300));
		long start = System.nanoTime();
		assertThat(api("GET", "/health", null).status()).isEqualTo(200);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		runpod.resetFaults();
		start = System.nanoTime();
		api("GET", "/health", null);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(300));
	}

	@Test
	void aHungJobTimesOutAfterItsExecutionTimeoutAndAQueuedOneAfterItsTtl() throws Exception {
		runpod.hangJobs(true);
		String hung = id(run(input(), kiln.uri("/webhooks/runpod/1"), Map.of("executionTimeout", 300)));
		String forever = id(run(input(), null, null));
		RunpodJob timedOut = runpod.awaitJob(hung, JobStatus.TIMED_OUT, TIMEOUT);
		assertThat(Duration.between(timedOut.startedAt(), timedOut.finishedAt()))
			.isGreaterThanOrEqualTo(Duration.ofMillis(250));
		assertThat(timedOut.progress()).isEmpty();
		CallbackReceiver.Received webhook = kiln.await("/webhooks/runpod/1", 1, TIMEOUT).getFirst();
		assertThat(JSON.readValue(webhook.body(), Map.class)).containsEntry("status", "TIMED_OUT");
		assertThat(runpod.job(forever).status()).isEqualTo(JobStatus.IN_PROGRESS);

		runpod.queueDelay(Duration.ofSeconds(30));
		String expired = id(run(input(), null, Map.of("ttl", 200)));
		assertThat(runpod.awaitJob(expired, JobStatus.TIMED_OUT, TIMEOUT).workerId()).isNull();
		assertThat(status(expired).json()).containsEntry("status", "TIMED_OUT").doesNotContainKey("workerId");
	}

	@Test
	void failedJobsReportOnceAndEndWithTheError() throws Exception {
		runpod.failJobs("CUDA error: out of memory");
		String id = id(run(input(), kiln.uri("/webhooks/runpod/1"), null));
		RunpodJob failed = runpod.awaitJob(id, JobStatus.FAILED, TIMEOUT);
		assertThat(failed.error()).isEqualTo("CUDA error: out of memory");
		assertThat(failed.progress()).containsExactly(25);
		assertThat(failed.uploads()).isEmpty();
		assertThat(status(id).json()).containsEntry("error", "CUDA error: out of memory").doesNotContainKey("output");
		assertThat(JSON.readValue(kiln.await("/webhooks/runpod/1", 1, TIMEOUT).getFirst().body(), Map.class))
			.containsEntry("status", "FAILED");
		assertThat(kiln.received("/uploads/video.mp4")).isEmpty();
	}

	@Test
	void skippedUploadsCompleteWithOutputsThatStorageNeverReceived() throws Exception {
		runpod.skipUploads(true);
		String id = id(run(input(), kiln.uri("/webhooks/runpod/1"), null));
		RunpodJob job = runpod.awaitJob(id, JobStatus.COMPLETED, TIMEOUT);
		assertThat(job.output()).containsKey("outputs");
		assertThat(job.uploads()).isEmpty();
		kiln.await("/webhooks/runpod/1", 1, TIMEOUT);
		assertThat(kiln.received("/uploads/video.mp4")).isEmpty();
	}

	@Test
	void droppedWebhooksAreNeverSentAndDuplicatedOnesArriveEachTime() throws Exception {
		runpod.dropWebhooks(true);
		String dropped = id(run(input(), kiln.uri("/webhooks/runpod/1"), null));
		runpod.awaitJob(dropped, JobStatus.COMPLETED, TIMEOUT);
		runpod.dropWebhooks(false);
		runpod.duplicateWebhooks(3);
		String duplicated = id(run(input(), kiln.uri("/webhooks/runpod/2"), null));
		List<CallbackReceiver.Received> copies = kiln.await("/webhooks/runpod/2", 3, TIMEOUT);
		assertThat(copies).extracting(CallbackReceiver.Received::text).containsOnly(copies.getFirst().text());
		// The receiver can answer a copy before the sender has recorded its response: wait for all three records.
		for (int copy = 1; copy <= 3; copy++) {
			int expected = copy;
			runpod.awaitDelivery(d -> d.jobId().equals(duplicated) && d.copy() == expected, TIMEOUT);
		}
		assertThat(runpod.deliveries()).extracting(WebhookDelivery::jobId, WebhookDelivery::copy)
			.containsExactlyInAnyOrder(tuple(duplicated, 1),
					tuple(duplicated, 2), tuple(duplicated, 3));
		assertThat(kiln.received("/webhooks/runpod/1")).isEmpty();
	}

	@Test
	void aHeldJobWaitsInProgressUntilReleased() throws Exception {
		runpod.holdJobs(true);
		String id = id(run(input(), null, null));
		runpod.awaitJob(id, JobStatus.IN_PROGRESS, TIMEOUT);
		Thread.sleep(150);
		assertThat(runpod.job(id).status()).isEqualTo(JobStatus.IN_PROGRESS);
		assertThat(runpod.job(id).progress()).isEmpty();
		runpod.resetFaults();
		Thread.sleep(100);
		assertThat(runpod.job(id).status()).as("a job keeps the switches it was accepted with")
			.isEqualTo(JobStatus.IN_PROGRESS);
		runpod.release(id);
		assertThat(runpod.awaitJob(id, JobStatus.COMPLETED, TIMEOUT).progress()).containsExactly(25, 50, 75);
	}

	@Test
	void webhooksAnsweredWithAnErrorAreRetriedTwiceMoreTenthsOfASecondApart() throws Exception {
		kiln.answer("/webhooks/runpod/1", 500, 500);
		String retried = id(run(input(), kiln.uri("/webhooks/runpod/1"), null));
		runpod.awaitDelivery(d -> d.jobId().equals(retried) && d.succeeded(), TIMEOUT);
		List<WebhookDelivery> attempts = runpod.deliveries();
		assertThat(attempts).extracting(WebhookDelivery::attempt, WebhookDelivery::status)
			.containsExactly(tuple(1, 500), tuple(2, 500),
					tuple(3, 200));
		assertThat(Duration.between(attempts.get(0).at(), attempts.get(1).at()))
			.isGreaterThanOrEqualTo(Duration.ofMillis(90));

		kiln.answer("/webhooks/runpod/2", 503, 503, 503, 503);
		String abandoned = id(run(input(), kiln.uri("/webhooks/runpod/2"), null));
		runpod.awaitDelivery(d -> d.jobId().equals(abandoned) && d.attempt() == 3, TIMEOUT);
		Thread.sleep(250);
		assertThat(kiln.received("/webhooks/runpod/2")).hasSize(3);
	}

	@Test
	void resultsAreGoneAfterTheRetentionWindowByTheClock() throws Exception {
		String id = id(run(input(), null, null));
		runpod.awaitJob(id, JobStatus.COMPLETED, TIMEOUT);
		clock.advance(Duration.ofMinutes(29));
		assertThat(status(id).status()).isEqualTo(200);
		assertThat(((Map<?, ?>) health().get("jobs")).get("completed")).isEqualTo(1);
		clock.advance(Duration.ofMinutes(1));
		assertThat(status(id).status()).isEqualTo(404);
		assertThat(api("POST", "/cancel/" + id, null).status()).isEqualTo(404);
		assertThat(((Map<?, ?>) health().get("jobs")).get("completed")).isEqualTo(0);
		assertThat(runpod.job(id).status()).as("tests can still look").isEqualTo(JobStatus.COMPLETED);
	}

	@Test
	void uploadsAPresignedS3UrlExactlyAsGiven() throws Exception {
		InProcessS3.Server s3 = InProcessS3.shared();
		String bucket = s3.createBucket("runpod-emulator-tests");
		String key = "generations/" + UUID.randomUUID() + "/video.mp4";
		try (S3Presigner presigner = S3Presigner.builder()
			.endpointOverride(s3.endpoint())
			.region(Region.of("auto"))
			.credentialsProvider(
					StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
			.serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
			.build()) {
			String put = presigner.presignPutObject(r -> r.signatureDuration(Duration.ofMinutes(5))
				.putObjectRequest(o -> o.bucket(bucket).key(key).contentType("video/mp4"))).url().toString();
			Map<String, Object> input = Map.of("workflow", "wan-2.2-t2v", "prompt", Map.of(), "outputs",
					List.of(Map.of("name", "video", "content_type", "video/mp4", "upload_url", put)));
			String id = id(run(input, null, null));
			RunpodJob job = runpod.awaitJob(id, JobStatus.COMPLETED, TIMEOUT);
			assertThat(job.uploads()).singleElement().satisfies(upload -> assertThat(upload.status()).isEqualTo(200));

			URI get = presigner.presignGetObject(r -> r.signatureDuration(Duration.ofMinutes(5))
				.getObjectRequest(o -> o.bucket(bucket).key(key))).url().toURI();
			HttpResponse<byte[]> stored = http.send(HttpRequest.newBuilder(get).build(),
					HttpResponse.BodyHandlers.ofByteArray());
			assertThat(stored.statusCode()).isEqualTo(200);
			assertThat(stored.headers().firstValue("Content-Type")).hasValue("video/mp4");
			assertThat(stored.body()).isEqualTo(RunpodEmulator.rendered(id, "video"));
		}
	}

	@Test
	void manyJobsRunAtOnce() throws Exception {
		List<String> ids = IntStream.range(0, 20).mapToObj(i -> id(run(input(), null, null))).toList();
		ids.forEach(id -> runpod.awaitJob(id, JobStatus.COMPLETED, TIMEOUT));
		Set<String> distinct = ids.stream().collect(Collectors.toSet());
		assertThat(distinct).hasSize(20);
		assertThat(kiln.await("/uploads/video.mp4", 20, TIMEOUT)).hasSize(20);
	}

	private Map<String, Object> input() {
		return Map.of("workflow", "wan-2.2-t2v", "prompt", Map.of("3", Map.of("class_type", "KSampler")),
				"parameters", Map.of("seconds", 5), "outputs", List.of(Map.of("name", "video", "content_type",
						"video/mp4", "upload_url", kiln.uri("/uploads/video.mp4").toString())),
				"progress_url", kiln.uri("/progress/1").toString());
	}

	private Response run(Map<String, Object> input, URI webhook, Map<String, Object> policy) {
		Map<String, Object> body = JsonTrees.object("input", input, "webhook", webhook == null ? null : webhook.toString(),
				"policy", policy);
		return api("POST", "/run", JsonTrees.write(body));
	}

	private Response status(String id) {
		return api("GET", "/status/" + id, null);
	}

	private Map<String, Object> health() {
		return api("GET", "/health", null).json();
	}

	private String bearer() {
		return "Bearer " + runpod.apiKey();
	}

	private static String id(Response accepted) {
		assertThat(accepted.status()).isEqualTo(200);
		return (String) accepted.json().get("id");
	}

	private Response api(String method, String path, String body) {
		return call(method, "/v2/" + runpod.endpointId() + path, body, bearer());
	}

	@SuppressWarnings("unchecked")
	private Response call(String method, String path, String body, String authorization) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(runpod.baseUrl() + path))
			.header("Authorization", authorization)
			.header("Content-Type", "application/json")
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofString(body))
			.build();
		try {
			HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), JSON.readValue(response.body(), Map.class));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record Response(int status, Map<String, Object> json) {
	}
}
