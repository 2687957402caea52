package dev.kiln.providers.vertex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.vertex.VertexEmulator;
import dev.kiln.testing.vertex.VertexRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

/** Gemini through the real google-genai client against the Vertex emulator, with real Redis. */
@KilnIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
// alone: a class alongside swaps System.out back, and one whose context closes resets logging for a
// moment, so the lines asserted on below went missing once in CI
@Isolated("output capture and log lines asserted on")
@TestPropertySource(properties = { "kiln.vertex.routes.text[0].model=gemini-2.5-pro",
		"kiln.vertex.routes.text[0].location=us-central1", "kiln.vertex.routes.text[1].model=gemini-2.5-flash",
		"kiln.vertex.routes.text[1].location=europe-west4", "kiln.vertex.routes.image[0].model=gemini-2.5-flash-image",
		"kiln.vertex.routes.image[0].location=us-central1",
		// the tests assert a circuit still open after a fallback call: one second (the test default) is
		// shorter than that call on a loaded machine; nothing here waits for a circuit to recover
		"kiln.vertex.circuit.open-for=10m" })
class GeminiIntegrationTests {

	static final String PRO = "gemini-2.5-pro";

	static final String FLASH = "gemini-2.5-flash";

	static final Route PRIMARY = new Route(PRO, "us-central1");

	static final Route FALLBACK = new Route(FLASH, "europe-west4");

	static final String PROMPT = "Write a haiku about a kiln that fires porcelain cups at dawn";

	static final Duration WAIT = Duration.ofSeconds(10);

	@Autowired
	Gemini gemini;

	@Autowired
	VertexEmulator vertex;

	@Autowired
	RouteGuards guards;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@BeforeEach
	void healthyVertex() {
		vertex.resetFaults();
		vertex.clearRequests();
		List.of(PRIMARY, FALLBACK).forEach(route -> guards.circuit(route).reset());
	}

	@Test
	void answersTextPricedFromTheTokensVertexCounted() {
		String prompt = IntStream.range(0, 300).mapToObj(i -> "word" + i).reduce(PROMPT, (a, b) -> a + " " + b);

		TextAnswer answer = gemini.text(TextRequest.of(prompt, 0.7)).block(WAIT);

		String reply = VertexEmulator.replyText(PRO, prompt);
		long in = VertexEmulator.tokens(prompt);
		long out = VertexEmulator.tokens(reply);
		assertThat(answer.text()).isEqualTo(reply);
		assertThat(answer.finishReason()).isEqualTo("STOP");
		assertThat(answer.servedBy()).isEqualTo(PRIMARY);
		assertThat(answer.usage()).isEqualTo(new Usage(in, out, 0));
		assertThat(answer.cacheHit()).isFalse();
		// gemini-2.5-pro in application.yml: 2 and 12 credits per 1k; 1,150,000 and 9,200,000 micros per million
		assertThat(answer.credits()).isEqualTo(Math.ceilDiv(in * 2 + out * 12, 1000)).isEqualTo(5);
		assertThat(answer.providerCost()).isEqualTo(Math.ceilDiv(in * 1_150_000 + out * 9_200_000, 1_000_000));
		assertThat(vertex.requests()).singleElement().satisfies(request -> {
			assertThat(request.model()).isEqualTo(PRO);
			assertThat(request.location()).isEqualTo("us-central1");
			assertThat(request.body()).contains("\"temperature\":0.7", "\"maxOutputTokens\":8192");
		});
	}

	/*
	 * A call cancelled from another thread interrupts the SDK thread running it; had the next request's
	 * steps run on that thread, its bulkhead would have refused it as "full" (a flagged thread cannot
	 * take a semaphore permit). Answers therefore arrive off the blocking threads.
	 */
	@Test
	void answersAndChunksArriveOffTheBlockingThreads() {
		String answeredOn = gemini.text(TextRequest.of(PROMPT, 0.7)).map(answer -> Thread.currentThread().getName()).block(WAIT);
		List<String> chunksOn = gemini.streamText(TextRequest.of(PROMPT, 0.7))
			.map(chunk -> Thread.currentThread().getName())
			.collectList()
			.block(WAIT);

		assertThat(answeredOn).doesNotStartWith("vertex");
		assertThat(chunksOn).isNotEmpty().allSatisfy(thread -> assertThat(thread).doesNotStartWith("vertex"));
	}

	@Test
	void streamsDeltasThenUsageAndTheServingRoute() {
		List<TextChunk> chunks = gemini.streamText(TextRequest.of(PROMPT, 1)).collectList().block(WAIT);

		assertThat(chunks).hasSizeGreaterThan(2);
		assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(chunk -> assertThat(chunk)
			.isInstanceOf(TextChunk.Delta.class));
		assertThat(chunks.stream().filter(TextChunk.Delta.class::isInstance).map(c -> ((TextChunk.Delta) c).text())
			.reduce("", String::concat)).isEqualTo(VertexEmulator.replyText(PRO, PROMPT));
		TextChunk.Done done = (TextChunk.Done) chunks.getLast();
		assertThat(done.servedBy()).isEqualTo(PRIMARY);
		assertThat(done.usage()).isEqualTo(new Usage(12, 15, 0));
		assertThat(done.credits()).isEqualTo(1);
		assertThat(vertex.requests()).extracting(VertexRequest::method).containsExactly("streamGenerateContent");
	}

	@Test
	void drawsAnImage() {
		ImageAnswer image = gemini.image(new ImageRequest("a red kiln")).block(WAIT);

		assertThat(image.bytes()).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
		assertThat(image.mimeType()).isEqualTo("image/png");
		assertThat(image.servedBy()).isEqualTo(new Route("gemini-2.5-flash-image", "us-central1"));
		assertThat(image.usage()).isEqualTo(new Usage(3, VertexEmulator.IMAGE_OUTPUT_TOKENS, 1));
		assertThat(image.credits()).as("ceil(3 / 1000) + 5 per image").isEqualTo(6);
		assertThat(image.providerCost()).isEqualTo(1 + 35_600);
		assertThat(gemini.maxCredits(new ImageRequest("a red kiln"))).isEqualTo(6);
	}

	@Test
	void aRateLimitIsRetriedOnTheSameRoute() {
		vertex.failNext(1, 429);

		TextAnswer answer = gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT);

		assertThat(answer.servedBy()).isEqualTo(PRIMARY);
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::status)
			.containsExactly(tuple(PRO, 429), tuple(PRO, 200));
	}

	@Test
	void aRetryAfterIsWaitedOutBeforeTheRetry() {
		vertex.failNext(1, 429, Duration.ofSeconds(1));

		TextAnswer answer = gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT);

		assertThat(answer.servedBy()).isEqualTo(PRIMARY);
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::status)
			.containsExactly(tuple(PRO, 429), tuple(PRO, 200));
		assertThat(Duration.between(vertex.requests().get(0).receivedAt(), vertex.requests().get(1).receivedAt()))
			.as("the retry came after Retry-After (1 s), not after the backoff (20 to 100 ms here)")
			.isGreaterThanOrEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void googlesRetryInfoIsHonouredLikeRetryAfterAndForAStreamToo() {
		vertex.failNextWithRetryInfo(1, 429, Duration.ofMillis(1500));

		List<TextChunk> chunks = gemini.streamText(TextRequest.of(PROMPT, 1)).collectList().block(WAIT);

		assertThat(chunks).last().isInstanceOf(TextChunk.Done.class);
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::method, VertexRequest::status)
			.containsExactly(tuple(PRO, "streamGenerateContent", 429), tuple(PRO, "streamGenerateContent", 200));
		assertThat(Duration.between(vertex.requests().get(0).receivedAt(), vertex.requests().get(1).receivedAt()))
			.isGreaterThanOrEqualTo(Duration.ofMillis(1500));
	}

	@Test
	void aRetryAfterLongerThanKilnWaitsHandsOverToTheFallbackAtOnce() {
		vertex.failNext(1, 429, Duration.ofSeconds(30)); // max-retry-after is 2 s in tests

		TextAnswer answer = gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT);

		assertThat(answer.servedBy()).isEqualTo(FALLBACK);
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::status)
			.containsExactly(tuple(PRO, 429), tuple(FLASH, 200));
		assertThat(Duration.between(vertex.requests().get(0).receivedAt(), vertex.requests().get(1).receivedAt()))
			.isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void aWaitBelongsToItsOwnAnswerOnly() {
		vertex.failNext(1, 429, Duration.ofSeconds(30));
		assertThat(gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT).servedBy()).isEqualTo(FALLBACK);
		vertex.clearRequests();

		vertex.failNext(1, 500); // no wait given: a leftover 30 s would send this to the fallback too
		TextAnswer answer = gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT);

		assertThat(answer.servedBy()).isEqualTo(PRIMARY);
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::status)
			.containsExactly(tuple(PRO, 500), tuple(PRO, 200));
	}

	@Test
	void whenEveryRouteIsRateLimitedTheFailureSaysTheSoonestRetryAfter() {
		vertex.failModel(PRO, 429, Duration.ofSeconds(40));
		vertex.failModel(FLASH, 429, Duration.ofSeconds(20));

		Throwable none = catchThrowable(() -> gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT));

		assertThat(none).isInstanceOfSatisfying(VertexUnavailable.class,
				unavailable -> assertThat(unavailable.retryAfter()).isEqualTo(Duration.ofSeconds(20)));
		assertThat(vertex.requests()).as("neither wait is Kiln's to sit out").extracting(VertexRequest::model)
			.containsExactly(PRO, FLASH);
	}

	@Test
	void aFailingPrimaryOpensItsCircuitAndTheFallbackServes() {
		vertex.failModel(PRO, 503);

		TextAnswer first = gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT);
		assertThat(first.servedBy()).isEqualTo(FALLBACK);
		assertThat(first.text()).isEqualTo(VertexEmulator.replyText(FLASH, PROMPT));
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::status)
			.containsExactly(tuple(PRO, 503), tuple(PRO, 503), tuple(PRO, 503), tuple(FLASH, 200));
		assertThat(guards.circuit(PRIMARY).getState()).isEqualTo(CircuitBreaker.State.OPEN);

		vertex.clearRequests();
		TextAnswer second = gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT);
		assertThat(second.servedBy()).isEqualTo(FALLBACK);
		assertThat(vertex.requests()).as("the open circuit spares the primary").extracting(VertexRequest::model)
			.containsExactly(FLASH);

		vertex.failModel(FLASH, 503);
		Throwable none = catchThrowable(() -> gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT));
		assertThat(none).isInstanceOf(VertexUnavailable.class)
			.hasMessageContaining(PRIMARY + ": circuit open")
			.hasMessageContaining(FALLBACK.toString());
		assertThat(vertex.requests()).extracting(VertexRequest::model).containsOnly(FLASH);
	}

	@Test
	void aStreamCutMidAnswerFailsAfterItsDeltasAndNeverFallsBack() {
		vertex.cutStreamAfter(3);

		StepVerifier.create(gemini.streamText(TextRequest.of(PROMPT, 1)))
			.assertNext(chunk -> assertThat(chunk).isEqualTo(new TextChunk.Delta("Echo from gemini-2.5-pro: ")))
			.assertNext(chunk -> assertThat(chunk).isInstanceOf(TextChunk.Delta.class))
			.expectErrorSatisfies(error -> assertThat(error).isInstanceOf(StreamBroken.class)
				.hasMessageContaining(PRIMARY.toString()))
			.verify(WAIT);
		assertThat(vertex.requests()).extracting(VertexRequest::model).containsExactly(PRO);
	}

	@Test
	void aDeterministicRequestIsAnsweredOnceThenFromTheCache() {
		TextRequest request = TextRequest.of("Name three glazes for stoneware", 0);

		TextAnswer first = gemini.text(request).block(WAIT);
		TextAnswer again = gemini.text(request).block(WAIT);
		List<TextChunk> streamed = gemini.streamText(request).collectList().block(WAIT);

		assertThat(first.cacheHit()).isFalse();
		assertThat(again.cacheHit()).isTrue();
		assertThat(again.text()).isEqualTo(first.text());
		assertThat(again.servedBy()).isEqualTo(PRIMARY);
		assertThat(again.credits()).as("kiln.vertex.cache.hit-credits").isEqualTo(1);
		assertThat(again.providerCost()).isZero();
		assertThat(streamed).containsExactly(new TextChunk.Delta(first.text()),
				new TextChunk.Done("STOP", PRIMARY, first.usage(), true, 1, 0));
		assertThat(vertex.requests()).hasSize(1);
		assertThat(redis.keys(AnswerCache.PREFIX + "*").collectList().block(WAIT)).singleElement()
			.satisfies(key -> assertThat(redis.getExpire(key).block(WAIT)).isPositive());
	}

	@Test
	void unsafeOrInvalidPromptsFailAtOnceWithoutFallback() {
		vertex.blockPrompts(true);
		assertThat(catchThrowable(() -> gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT)))
			.isInstanceOfSatisfying(SafetyBlocked.class, blocked -> assertThat(blocked.reason()).isEqualTo("SAFETY"));

		vertex.resetFaults();
		vertex.blockAnswers(true);
		assertThat(catchThrowable(() -> gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT)))
			.isInstanceOf(SafetyBlocked.class);
		StepVerifier.create(gemini.streamText(TextRequest.of(PROMPT, 1))).expectError(SafetyBlocked.class).verify(WAIT);

		vertex.resetFaults();
		vertex.failNext(1, 400);
		assertThat(catchThrowable(() -> gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT)))
			.isInstanceOf(PromptRejected.class);
		assertThat(vertex.requests()).extracting(VertexRequest::model).containsOnly(PRO).hasSize(4);
	}

	@Test
	void theAccessTokenAppearsInNoAnswerErrorOrLogLine(CapturedOutput output) {
		List<Object> seen = new ArrayList<>();
		seen.add(gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT));
		seen.add(gemini.image(new ImageRequest("a kiln")).block(WAIT));
		vertex.failModel(PRO, 401);
		vertex.failModel(FLASH, 429);
		seen.add(catchThrowable(() -> gemini.text(TextRequest.of(PROMPT, 1)).block(WAIT)));
		vertex.resetFaults();
		vertex.cutStreamAfter(2);
		seen.add(catchThrowable(() -> gemini.streamText(TextRequest.of(PROMPT, 1)).blockLast(WAIT)));

		assertThat(seen.get(2)).isInstanceOf(VertexUnavailable.class);
		assertThat(seen.get(3)).isInstanceOf(StreamBroken.class);
		String token = vertex.accessToken();
		assertThat(seen).allSatisfy(thing -> assertThat(String.valueOf(thing)).doesNotContain(token));
		assertThat(seen.subList(2, 4)).allSatisfy(error -> {
			for (Throwable cause = (Throwable) error; cause != null; cause = cause.getCause()) {
				assertThat(String.valueOf(cause.getMessage())).doesNotContain(token);
			}
		});
		assertThat(output.getAll()).contains("Vertex route " + PRIMARY).doesNotContain(token);
		assertThat(vertex.requests().toString()).doesNotContain(token);
	}
}
