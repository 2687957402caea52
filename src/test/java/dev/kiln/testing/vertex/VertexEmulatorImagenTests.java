package dev.kiln.testing.vertex;

import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;

import com.google.genai.Client;
import com.google.genai.errors.ClientException;
import com.google.genai.errors.ServerException;
import com.google.genai.types.GenerateImagesConfig;
import com.google.genai.types.GenerateImagesResponse;
import com.google.genai.types.GeneratedImage;
import com.google.genai.types.Image;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

/** Imagen's {@code :predict} as the real google-genai client ({@code models.generateImages}) calls and reads it. */
@SuppressWarnings("deprecation") // generateImages, still the SDK's only way to call Imagen (see GenaiCalls)
class VertexEmulatorImagenTests {

	private static final String IMAGEN = "imagen-4.0-fast-generate-001";

	private static final String PREDICT = "/v1/projects/p/locations/us-central1/publishers/google/models/" + IMAGEN
			+ ":predict";

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
	void drawsTheImagesAskedForAsBase64Predictions() throws Exception {
		GenerateImagesConfig two = GenerateImagesConfig.builder()
			.numberOfImages(2)
			.includeRaiReason(true)
			.outputMimeType("image/png")
			.build();

		List<GeneratedImage> images = client.models.generateImages(IMAGEN, "a red kiln", two).generatedImages()
			.orElseThrow();

		assertThat(images).hasSize(2).allSatisfy(generated -> {
			assertThat(generated.raiFilteredReason()).isEmpty();
			assertThat(generated.image().flatMap(Image::mimeType)).hasValue("image/png");
			assertThat(bytes(generated)).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
		});
		assertThat(bytes(images.get(0))).as("one picture per sample").isNotEqualTo(bytes(images.get(1)));
		GenerateImagesConfig one = GenerateImagesConfig.builder().numberOfImages(1).build();
		assertThat(bytes(client.models.generateImages(IMAGEN, "a red kiln", one).generatedImages().orElseThrow()
			.getFirst())).as("same prompt, same picture").isEqualTo(bytes(images.get(0)));
		assertThat(vertex.requests()).first().satisfies(request -> {
			assertThat(request.apiVersion()).isEqualTo("v1beta1");
			assertThat(request.model()).isEqualTo(IMAGEN);
			assertThat(request.method()).isEqualTo("predict");
			JsonNode body = JSON.readTree(request.body());
			assertThat(body.at("/instances/0/prompt").asString()).isEqualTo("a red kiln");
			assertThat(body.at("/parameters/sampleCount").asInt()).isEqualTo(2);
			assertThat(body.at("/parameters/includeRaiReason").asBoolean()).isTrue();
			assertThat(body.at("/parameters/outputOptions/mimeType").asString()).isEqualTo("image/png");
		});
	}

	@Test
	void theWireFormatIsVertexs() throws Exception {
		String token = vertex.accessToken();

		JsonNode one = JSON.readTree(clients.post(PREDICT,
				"{\"instances\":[{\"prompt\":\"a kiln\"}],\"parameters\":{\"sampleCount\":1}}", token).body());
		assertThat(one.propertyNames()).containsExactly("predictions");
		assertThat(one.at("/predictions/0").propertyNames()).containsExactly("mimeType", "bytesBase64Encoded");
		assertThat(Base64.getDecoder().decode(one.at("/predictions/0/bytesBase64Encoded").asString())).startsWith(0x89,
				'P', 'N', 'G');
		JsonNode unasked = JSON.readTree(clients.post(PREDICT, "{\"instances\":[{\"prompt\":\"a kiln\"}]}", token).body());
		assertThat(unasked.get("predictions").size()).as("Vertex draws four unless told").isEqualTo(4);
		JsonNode jpeg = JSON.readTree(clients.post(PREDICT, "{\"instances\":[{\"prompt\":\"a kiln\"}],"
				+ "\"parameters\":{\"sampleCount\":1,\"outputOptions\":{\"mimeType\":\"image/jpeg\"}}}", token).body());
		assertThat(Base64.getDecoder().decode(jpeg.at("/predictions/0/bytesBase64Encoded").asString())).startsWith(0xFF,
				0xD8);

		HttpResponse<String> empty = clients.post(PREDICT, "{\"instances\":[]}", token);
		assertThat(JSON.readTree(empty.body()).at("/error/status").asString()).isEqualTo("INVALID_ARGUMENT");
		HttpResponse<String> five = clients.post(PREDICT,
				"{\"instances\":[{\"prompt\":\"a kiln\"}],\"parameters\":{\"sampleCount\":5}}", token);
		assertThat(five.statusCode()).isEqualTo(400);
		HttpResponse<String> gemini = clients.post(PREDICT.replace(IMAGEN, "gemini-2.5-flash-image"),
				"{\"instances\":[{\"prompt\":\"a kiln\"}]}", token);
		assertThat(JSON.readTree(gemini.body()).at("/error/status").asString()).isEqualTo("FAILED_PRECONDITION");
		assertThat(JSON.readTree(gemini.body()).at("/error/message").asString())
			.startsWith("Gemini cannot be accessed through Vertex Predict/RawPredict API.");
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::status)
			.containsExactly(tuple(IMAGEN, 200), tuple(IMAGEN, 200), tuple(IMAGEN, 200), tuple(IMAGEN, 400),
					tuple(IMAGEN, 400), tuple("gemini-2.5-flash-image", 400));
	}

	@Test
	void aFilteredImageIsARaiReasonOnlyWhenAskedForOtherwiseNothing() throws Exception {
		vertex.blockAnswers(true);

		GenerateImagesResponse told = client.models.generateImages(IMAGEN, "a kiln",
				GenerateImagesConfig.builder().numberOfImages(1).includeRaiReason(true).build());
		assertThat(told.generatedImages().orElseThrow()).singleElement().satisfies(filtered -> {
			assertThat(filtered.raiFilteredReason()).hasValueSatisfying(reason -> assertThat(reason)
				.startsWith("Your current safety filter threshold filtered out 1 generated images.")
				.contains("Support codes: "));
			assertThat(filtered.image().flatMap(Image::imageBytes)).isEmpty();
		});

		GenerateImagesResponse silent = client.models.generateImages(IMAGEN, "a kiln",
				GenerateImagesConfig.builder().numberOfImages(1).build());
		assertThat(silent.generatedImages()).hasValue(List.of());
		assertThat(silent.images()).as("the SDK's convenience is null, not empty").isNull();
		assertThat(clients.post(PREDICT, "{\"instances\":[{\"prompt\":\"a kiln\"}]}", vertex.accessToken()).body())
			.isEqualTo("{}");
	}

	@Test
	void aBlockedPromptIsA400AndFaultsApplyAsToGemini() {
		vertex.blockPromptsContaining("forbidden");
		ClientException blocked = catchThrowableOfType(ClientException.class,
				() -> client.models.generateImages(IMAGEN, "a forbidden kiln", null));
		assertThat(blocked.code()).isEqualTo(400);
		assertThat(blocked.status()).isEqualTo("INVALID_ARGUMENT");
		assertThat(blocked.message()).contains("violate Google's Responsible AI practices");

		vertex.resetFaults();
		vertex.failNext(1, 429);
		assertThat(catchThrowableOfType(ClientException.class,
				() -> client.models.generateImages(IMAGEN, "a kiln", null)).code()).isEqualTo(429);
		vertex.failModel(IMAGEN, 500);
		ServerException internal = catchThrowableOfType(ServerException.class,
				() -> client.models.generateImages(IMAGEN, "a kiln", null));
		assertThat(internal.status()).isEqualTo("INTERNAL");
		assertThat(vertex.requests()).extracting(VertexRequest::status).containsExactly(400, 429, 500);
	}

	private static byte[] bytes(GeneratedImage generated) {
		return generated.image().flatMap(Image::imageBytes).orElseThrow();
	}
}
