package dev.kiln.testing.vertex;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ClientException;
import com.google.genai.types.Blob;
import com.google.genai.types.FinishReason;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.MediaModality;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

/** The emulator answers the real google-genai client (Vertex AI backend) as Vertex does. */
class VertexEmulatorTests {

	private static final String LOCATION = GenaiClients.LOCATION;

	private static final String FLASH = "gemini-2.5-flash";

	private static final String PRO = "gemini-2.5-pro";

	private static final String PROMPT = "Write a haiku about a kiln that fires porcelain cups at dawn";

	private static final String PROJECT = GenaiClients.PROJECT;

	private static final String IMAGE = "gemini-2.5-flash-image";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final VertexEmulator vertex = VertexEmulator.start();

	private final GenaiClients clients = new GenaiClients(vertex);

	private final Client client = clients.client();

	@AfterEach
	void close() {
		clients.close();
		vertex.close();
	}

	@Test
	void generatesTextWithUsageFromTheRealVertexPath() {
		GenerateContentResponse response = client.models.generateContent(FLASH, PROMPT, null);

		String expected = VertexEmulator.replyText(FLASH, PROMPT);
		assertThat(response.text()).isEqualTo(expected).startsWith("Echo from gemini-2.5-flash: Write a haiku");
		assertThat(response.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
		assertThat(response.modelVersion()).hasValue(FLASH);
		assertThat(response.responseId()).hasValueSatisfying(id -> assertThat(id).hasSize(22));
		assertThat(response.candidates().orElseThrow().getFirst().safetyRatings()).hasValueSatisfying(
				ratings -> assertThat(ratings).hasSize(4));
		GenerateContentResponseUsageMetadata usage = response.usageMetadata().orElseThrow();
		assertThat(usage.promptTokenCount()).hasValue(12);
		assertThat(usage.candidatesTokenCount()).hasValue(VertexEmulator.tokens(expected)).hasValue(15);
		assertThat(usage.totalTokenCount()).hasValue(27);

		assertThat(vertex.requests()).singleElement().satisfies(request -> {
			assertThat(request.apiVersion()).isEqualTo("v1beta1");
			assertThat(request.project()).isEqualTo(PROJECT);
			assertThat(request.location()).isEqualTo(LOCATION);
			assertThat(request.publisher()).isEqualTo("google");
			assertThat(request.model()).isEqualTo(FLASH);
			assertThat(request.method()).isEqualTo("generateContent");
			assertThat(request.status()).isEqualTo(200);
			assertThat(request.body()).contains(PROMPT);
			assertThat(request.header("Authorization")).isEqualTo(VertexRequest.REDACTED);
			assertThat(request.header("x-goog-api-client")).contains("google-genai-sdk/");
			assertThat(request.headers().toString()).doesNotContain(vertex.accessToken());
		});

		GenerateContentResponse again = client.models.generateContent(FLASH, PROMPT, null);
		assertThat(again.text()).as("same prompt, same answer").isEqualTo(response.text());
		assertThat(again.responseId()).isNotEqualTo(response.responseId());
	}

	@Test
	void stopsAtMaxOutputTokens() {
		GenerateContentConfig config = GenerateContentConfig.builder().maxOutputTokens(5).build();

		GenerateContentResponse response = client.models.generateContent(FLASH, PROMPT, config);

		assertThat(response.text()).isEqualTo("Echo from gemini-2.5-flash: Write a");
		assertThat(response.finishReason().knownEnum()).isEqualTo(FinishReason.Known.MAX_TOKENS);
		assertThat(response.usageMetadata().orElseThrow().candidatesTokenCount()).hasValue(5);
	}

	@Test
	void streamsTextInChunksWithUsageOnTheLast() {
		List<GenerateContentResponse> chunks = new ArrayList<>();
		try (ResponseStream<GenerateContentResponse> stream = client.models.generateContentStream(FLASH, PROMPT,
				null)) {
			stream.forEach(chunks::add);
		}

		assertThat(chunks).hasSize(5); // 15 words, 3 a chunk
		assertThat(chunks.stream().map(GenerateContentResponse::text).reduce("", String::concat))
			.isEqualTo(VertexEmulator.replyText(FLASH, PROMPT));
		assertThat(chunks.subList(0, 4)).allSatisfy(chunk -> {
			assertThat(chunk.candidates().orElseThrow().getFirst().finishReason()).isEmpty();
			assertThat(chunk.usageMetadata()).isEmpty();
		});
		GenerateContentResponse last = chunks.getLast();
		assertThat(last.finishReason().knownEnum()).isEqualTo(FinishReason.Known.STOP);
		assertThat(last.usageMetadata().orElseThrow().totalTokenCount()).hasValue(27);
		assertThat(vertex.requests()).singleElement().satisfies(request -> {
			assertThat(request.method()).isEqualTo("streamGenerateContent");
			assertThat(request.status()).isEqualTo(200);
		});
	}

	@Test
	void theAsyncClientAnswersAndStreamsAndBridgesToReactor() throws Exception {
		GenerateContentResponse whole = client.async.models.generateContent(PRO, PROMPT, null)
			.get(5, TimeUnit.SECONDS);
		assertThat(whole.text()).isEqualTo(VertexEmulator.replyText(PRO, PROMPT));

		// How Kiln can bridge it: the future resolves on the SDK's threads; reading the stream blocks, so
		// it is iterated on boundedElastic, never on an event loop.
		Flux<String> texts = Mono.fromFuture(() -> client.async.models.generateContentStream(PRO, PROMPT, null))
			.publishOn(Schedulers.boundedElastic())
			.flatMapMany(stream -> Flux.fromIterable(stream).doFinally(signal -> stream.close()))
			.map(GenerateContentResponse::text);
		StepVerifier.create(texts.collectList())
			.assertNext(pieces -> {
				assertThat(pieces).hasSize(5);
				assertThat(String.join("", pieces)).isEqualTo(whole.text());
			})
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void imageModelsAnswerWithAnInlinePng() throws Exception {
		GenerateContentResponse response = client.models.generateContent(IMAGE, "a red kiln", null);

		Blob image = response.parts().getFirst().inlineData().orElseThrow();
		assertThat(image.mimeType()).hasValue("image/png");
		byte[] png = image.data().orElseThrow();
		assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
		assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isEqualTo(16);
		GenerateContentResponseUsageMetadata usage = response.usageMetadata().orElseThrow();
		assertThat(usage.promptTokenCount()).hasValue(3);
		assertThat(usage.candidatesTokenCount()).hasValue(VertexEmulator.IMAGE_OUTPUT_TOKENS);
		assertThat(usage.candidatesTokensDetails().orElseThrow().getFirst().modality().orElseThrow().knownEnum())
			.isEqualTo(MediaModality.Known.IMAGE);
		byte[] again = client.models.generateContent(IMAGE, "a red kiln", null).parts().getFirst().inlineData()
			.orElseThrow().data().orElseThrow();
		assertThat(again).as("same prompt, same picture").isEqualTo(png);
	}

	@Test
	void everyCallNeedsTheAccessToken() throws Exception {
		GoogleCredentials wrong = GoogleCredentials.create(new AccessToken("not-the-emulator-token", null));
		Client stranger = clients.client(LOCATION, wrong, HttpOptions.builder());

		ClientException refused = catchThrowableOfType(ClientException.class,
				() -> stranger.models.generateContent(FLASH, PROMPT, null));
		assertThat(refused.code()).isEqualTo(401);
		assertThat(refused.status()).isEqualTo("UNAUTHENTICATED");

		HttpResponse<String> anonymous = clients.post("/v1/projects/p/locations/global/publishers/google/models/"
				+ FLASH + ":generateContent", "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}", null);
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.body()).contains("\"status\":\"UNAUTHENTICATED\"");
		assertThat(vertex.requests()).extracting(VertexRequest::status).containsExactly(401, 401);
		assertThat(vertex.requests().getFirst().header("authorization")).isEqualTo(VertexRequest.REDACTED);
		assertThat(vertex.requests().toString()).doesNotContain("not-the-emulator-token");
	}

	@Test
	void theWireFormatIsVertexs() throws Exception {
		String model = "/v1/projects/p/locations/global/publishers/google/models/" + FLASH;
		String hello = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hello there\"}]}]}";

		String token = vertex.accessToken();
		HttpResponse<String> sse = clients.post(model + ":streamGenerateContent?alt=sse", hello, token);
		assertThat(sse.headers().firstValue("Content-Type")).hasValue("text/event-stream");
		assertThat(sse.body()).startsWith("data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":")
			.endsWith("}\r\n\r\n");
		assertThat(sse.body().split("\r\n\r\n")).hasSize(2)
			.allSatisfy(event -> assertThat(event).startsWith("data: "));

		HttpResponse<String> array = clients.post(model + ":streamGenerateContent", hello, token);
		assertThat(JSON.readTree(array.body()).isArray()).as("without alt=sse, one JSON array").isTrue();
		assertThat(JSON.readTree(array.body()).size()).isEqualTo(2);

		HttpResponse<String> empty = clients.post(model + ":generateContent", "{\"contents\":[]}", token);
		assertThat(empty.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(empty.body()).at("/error/status").asString()).isEqualTo("INVALID_ARGUMENT");
		assertThat(clients.post(model + ":embedContent", hello, token).statusCode()).isEqualTo(404);
		assertThat(vertex.requests()).extracting(VertexRequest::apiVersion, VertexRequest::status)
			.containsExactly(tuple("v1", 200), tuple("v1", 200), tuple("v1", 400));
	}
}
