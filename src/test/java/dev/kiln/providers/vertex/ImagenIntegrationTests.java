package dev.kiln.providers.vertex;

import java.time.Duration;
import java.util.List;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.vertex.VertexEmulator;
import dev.kiln.testing.vertex.VertexRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Imagen routes through the real google-genai client against the Vertex emulator: an image chain of
 * Imagen first, a Gemini image model behind it. Prices from application.yml: Imagen 4 Fast 3 credits
 * and 18,400 micros an image; gemini-2.5-flash-image 1 credit per 1,000 input tokens and 5 an image.
 */
@KilnIntegrationTest
@TestPropertySource(properties = { "kiln.vertex.routes.image[0].model=imagen-4.0-fast-generate-001",
		"kiln.vertex.routes.image[0].location=us-central1", "kiln.vertex.routes.image[0].api=imagen",
		"kiln.vertex.routes.image[1].model=gemini-2.5-flash-image",
		"kiln.vertex.routes.image[1].location=europe-west4",
		// the tests assert a circuit still open after a fallback call: one second (the test default) is
		// shorter than that call on a loaded machine; nothing here waits for a circuit to recover
		"kiln.vertex.circuit.open-for=10m" })
class ImagenIntegrationTests {

	static final String IMAGEN = "imagen-4.0-fast-generate-001";

	static final String GEMINI_IMAGE = "gemini-2.5-flash-image";

	static final Route PRIMARY = new Route(IMAGEN, "us-central1", Route.Api.IMAGEN);

	static final Route FALLBACK = new Route(GEMINI_IMAGE, "europe-west4");

	static final Duration WAIT = Duration.ofSeconds(10);

	@Autowired
	Gemini gemini;

	@Autowired
	VertexEmulator vertex;

	@Autowired
	RouteGuards guards;

	@Autowired
	VertexSettings settings;

	@BeforeEach
	void healthyVertex() {
		vertex.resetFaults();
		vertex.clearRequests();
		List.of(PRIMARY, FALLBACK).forEach(route -> guards.circuit(route).reset());
	}

	@Test
	void imagenDrawsOnePngPricedPerImageWithoutTokens() {
		ImageRequest request = new ImageRequest("a red kiln at dawn");

		ImageAnswer image = gemini.image(request).block(WAIT);

		assertThat(image.bytes()).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
		assertThat(image.mimeType()).isEqualTo("image/png");
		assertThat(image.servedBy()).isEqualTo(PRIMARY);
		assertThat(image.usage()).isEqualTo(new Usage(0, 0, 1));
		assertThat(image.credits()).isEqualTo(3);
		assertThat(image.providerCost()).isEqualTo(18_400);
		assertThat(gemini.maxCredits(request)).as("the dearer Gemini fallback's worst case: ceil(5 / 1000) + 5")
			.isEqualTo(6);
		assertThat(vertex.requests()).singleElement().satisfies(call -> {
			assertThat(call.method()).isEqualTo("predict");
			assertThat(call.location()).isEqualTo("us-central1");
			JsonNode body = JsonMapper.builder().build().readTree(call.body());
			assertThat(body.at("/instances/0/prompt").asString()).isEqualTo("a red kiln at dawn");
			assertThat(body.at("/parameters/sampleCount").asInt()).as("one image, not Vertex's default four")
				.isEqualTo(1);
			assertThat(body.at("/parameters/includeRaiReason").asBoolean()).isTrue();
		});
	}

	@Test
	void aFilteredImageIsSafetyBlockedWithImagensReasonAndNeverFallsBack() {
		vertex.blockAnswers(true);

		Throwable blocked = catchThrowable(() -> gemini.image(new ImageRequest("a kiln")).block(WAIT));

		assertThat(blocked).isInstanceOfSatisfying(SafetyBlocked.class, safety -> assertThat(safety.reason())
			.startsWith("Your current safety filter threshold filtered out 1 generated images.")
			.contains("Support codes: "));
		assertThat(vertex.requests()).extracting(VertexRequest::model).containsExactly(IMAGEN);
		assertThat(guards.circuit(PRIMARY).getMetrics().getNumberOfFailedCalls()).isZero();
	}

	@Test
	void aPromptImagenRefusesIsRejectedAtOnce() {
		vertex.blockPromptsContaining("forbidden");

		Throwable rejected = catchThrowable(() -> gemini.image(new ImageRequest("a forbidden kiln")).block(WAIT));

		assertThat(rejected).isInstanceOfSatisfying(PromptRejected.class,
				refusal -> assertThat(refusal.reason()).contains("Responsible AI practices"));
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::status)
			.containsExactly(tuple(IMAGEN, 400));
	}

	@Test
	void aRateLimitedImagenIsRetriedOnItsOwnRoute() {
		vertex.failNext(1, 429);

		ImageAnswer image = gemini.image(new ImageRequest("a kiln")).block(WAIT);

		assertThat(image.servedBy()).isEqualTo(PRIMARY);
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::status)
			.containsExactly(tuple(IMAGEN, 429), tuple(IMAGEN, 200));
	}

	@Test
	void anImagenOutageOpensItsCircuitAndTheGeminiImageRouteServesPricedByItsTokens() {
		assertThat(settings.circuit().openFor()).as("this class's open-for, not the test infrastructure's 1 s")
			.isEqualTo(java.time.Duration.ofMinutes(10));
		vertex.failModel(IMAGEN, 500);

		ImageAnswer first = gemini.image(new ImageRequest("a red kiln")).block(WAIT);

		assertThat(first.servedBy()).isEqualTo(FALLBACK);
		assertThat(first.usage()).isEqualTo(new Usage(3, VertexEmulator.IMAGE_OUTPUT_TOKENS, 1));
		assertThat(first.credits()).as("ceil(3 / 1000) + 5").isEqualTo(6);
		assertThat(vertex.requests()).extracting(VertexRequest::model, VertexRequest::method, VertexRequest::status)
			.containsExactly(tuple(IMAGEN, "predict", 500), tuple(IMAGEN, "predict", 500),
					tuple(IMAGEN, "predict", 500), tuple(GEMINI_IMAGE, "generateContent", 200));
		assertThat(guards.circuit(PRIMARY).getState()).isEqualTo(CircuitBreaker.State.OPEN);

		vertex.clearRequests();
		assertThat(gemini.image(new ImageRequest("a blue kiln")).block(WAIT).servedBy()).isEqualTo(FALLBACK);
		assertThat(vertex.requests()).as("the open circuit spares Imagen").extracting(VertexRequest::model)
			.containsExactly(GEMINI_IMAGE);

		vertex.failModel(GEMINI_IMAGE, 503);
		assertThat(catchThrowable(() -> gemini.image(new ImageRequest("a kiln")).block(WAIT)))
			.isInstanceOf(VertexUnavailable.class)
			.hasMessageContaining(PRIMARY + ": circuit open")
			.hasMessageContaining(FALLBACK.toString());
	}
}
