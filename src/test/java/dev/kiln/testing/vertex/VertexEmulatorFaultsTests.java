package dev.kiln.testing.vertex;

import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ClientException;
import com.google.genai.errors.GenAiIOException;
import com.google.genai.errors.ServerException;
import com.google.genai.types.BlockedReason;
import com.google.genai.types.Candidate;
import com.google.genai.types.FinishReason;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

/** Each fault switch, as the real google-genai client (Vertex AI backend) reports it. */
class VertexEmulatorFaultsTests {

	private static final String LOCATION = GenaiClients.LOCATION;

	private static final String FLASH = "gemini-2.5-flash";

	private static final String PRO = "gemini-2.5-pro";

	private static final String PROMPT = "Write a haiku about a kiln that fires porcelain cups at dawn";

	private final VertexEmulator vertex = VertexEmulator.start();

	private final GenaiClients clients = new GenaiClients(vertex);

	private final Client client = clients.client();

	@AfterEach
	void close() {
		clients.close();
		vertex.close();
	}

	@Test
	void aRateLimitIsAClientException429AndCarriesRetryAfterOnTheWire() throws Exception {
		vertex.failNext(1, 429, Duration.ofMillis(6500));

		ClientException limited = catchThrowableOfType(ClientException.class,
				() -> client.models.generateContent(FLASH, PROMPT, null));

		assertThat(limited.code()).isEqualTo(429);
		assertThat(limited.status()).isEqualTo("RESOURCE_EXHAUSTED");
		assertThat(limited.message()).startsWith("Resource exhausted.");
		assertThat(client.models.generateContent(FLASH, PROMPT, null).text()).as("the failure was used up")
			.isNotBlank();

		// The SDK's exceptions carry no headers: Retry-After is only visible on the wire.
		vertex.failNext(1, 429, Duration.ofMillis(6500));
		HttpResponse<String> raw = clients.post("/v1beta1/projects/p/locations/" + LOCATION
				+ "/publishers/google/models/" + FLASH + ":generateContent", "{}", vertex.accessToken());
		assertThat(raw.statusCode()).isEqualTo(429);
		assertThat(raw.headers().firstValue("Retry-After")).hasValue("7");
		JsonNode error = JsonMapper.builder().build().readTree(raw.body()).get("error");
		assertThat(error.get("code").asInt()).isEqualTo(429);
		assertThat(error.get("status").asString()).isEqualTo("RESOURCE_EXHAUSTED");
		assertThat(vertex.requests()).extracting(VertexRequest::status).containsExactly(429, 200, 429);
	}

	@Test
	void serverErrorsAreServerExceptionsAndTheSdkCanRetryThem() {
		vertex.failNext(1, 500);
		ServerException internal = catchThrowableOfType(ServerException.class,
				() -> client.models.generateContent(FLASH, PROMPT, null));
		assertThat(internal.code()).isEqualTo(500);
		assertThat(internal.status()).isEqualTo("INTERNAL");

		vertex.failNext(1, 503);
		ServerException unavailable = catchThrowableOfType(ServerException.class,
				() -> client.models.generateContentStream(FLASH, PROMPT, null));
		assertThat(unavailable.code()).isEqualTo(503);
		assertThat(unavailable.status()).isEqualTo("UNAVAILABLE");

		vertex.clearRequests();
		vertex.failNext(2, 503);
		Client retrying = clients.client(LOCATION, vertex.credentials(), HttpOptions.builder()
			.retryOptions(HttpRetryOptions.builder().attempts(3).initialDelay(0.01).jitter(0.0).build()));
		assertThat(retrying.models.generateContent(FLASH, PROMPT, null).text()).isNotBlank();
		assertThat(vertex.requests()).extracting(VertexRequest::status).containsExactly(503, 503, 200);
	}

	@Test
	void unsafePromptsAndAnswersAreBlockedAsVertexDoes() {
		vertex.blockPromptsContaining("Forbidden");
		GenerateContentResponse refused = client.models.generateContent(FLASH, "a forbidden recipe", null);
		assertThat(refused.candidates()).isEmpty();
		assertThat(refused.text()).isNull();
		assertThat(refused.promptFeedback().orElseThrow().blockReason().orElseThrow().knownEnum())
			.isEqualTo(BlockedReason.Known.SAFETY);
		assertThat(refused.usageMetadata().orElseThrow().promptTokenCount()).hasValue(3);
		assertThat(client.models.generateContent(FLASH, PROMPT, null).text()).as("other prompts pass").isNotNull();

		vertex.resetFaults();
		vertex.blockAnswers(true);
		GenerateContentResponse withheld = client.models.generateContent(FLASH, PROMPT, null);
		Candidate candidate = withheld.candidates().orElseThrow().getFirst();
		assertThat(candidate.finishReason().orElseThrow().knownEnum()).isEqualTo(FinishReason.Known.SAFETY);
		assertThat(candidate.content()).isEmpty();
		assertThat(candidate.safetyRatings().orElseThrow()).anySatisfy(rating -> assertThat(rating.blocked())
			.hasValue(true));
		// The SDK refuses to read parts or text of an answer that ended for SAFETY.
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(withheld::text)
			.withMessage("The response finished unexpectedly with reason SAFETY.");
	}

	@Test
	void aStreamCutMidAnswerFailsTheConsumerWithGenAiIoException() {
		vertex.cutStreamAfter(2);
		List<String> received = new ArrayList<>();

		GenAiIOException cut;
		try (ResponseStream<GenerateContentResponse> stream = client.models.generateContentStream(FLASH, PROMPT,
				null)) {
			cut = catchThrowableOfType(GenAiIOException.class,
					() -> stream.forEach(chunk -> received.add(chunk.text())));
		}

		assertThat(cut).hasMessageContaining("Failed to read next JSON object from the stream");
		assertThat(cut.getCause()).isInstanceOf(EOFException.class);
		// The SDK reads one event ahead, so the event before the cut is lost with it.
		assertThat(received).containsExactly("Echo from gemini-2.5-flash: ");
		assertThat(vertex.requests()).singleElement().extracting(VertexRequest::status).isEqualTo(200);
	}

	@Test
	void slowAnswersArriveLateOrTimeOut() {
		vertex.slow(Duration.ofMillis(300));
		long started = System.nanoTime();
		assertThat(client.models.generateContent(FLASH, PROMPT, null).text()).isNotBlank();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

		vertex.slow(Duration.ofSeconds(2));
		Client impatient = clients.client(LOCATION, vertex.credentials(), HttpOptions.builder().timeout(200));
		GenAiIOException timeout = catchThrowableOfType(GenAiIOException.class,
				() -> impatient.models.generateContent(FLASH, PROMPT, null));
		assertThat(timeout.getCause()).isInstanceOf(InterruptedIOException.class);
		assertThat(vertex.requests()).as("recorded although the client gave up").hasSize(2);
	}

	@Test
	void aFailingModelOrRegionLeavesTheFallbackServing() {
		vertex.failModel(PRO, 503);
		assertThat(catchThrowableOfType(ServerException.class,
				() -> client.models.generateContent(PRO, PROMPT, null)).code()).isEqualTo(503);
		assertThat(client.models.generateContent(FLASH, PROMPT, null).text())
			.isEqualTo(VertexEmulator.replyText(FLASH, PROMPT));

		vertex.failModel(PRO, 0);
		vertex.failLocation(LOCATION, 429);
		assertThat(catchThrowableOfType(ClientException.class,
				() -> client.models.generateContent(PRO, PROMPT, null)).code()).isEqualTo(429);
		Client europe = clients.client("europe-west4", vertex.credentials(), HttpOptions.builder());
		assertThat(europe.models.generateContent(PRO, PROMPT, null).text()).isNotBlank();

		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::location,
				VertexRequest::status)
			.containsExactly(tuple(PRO, LOCATION, 503),
					tuple(FLASH, LOCATION, 200),
					tuple(PRO, LOCATION, 429),
					tuple(PRO, "europe-west4", 200));
	}
}
