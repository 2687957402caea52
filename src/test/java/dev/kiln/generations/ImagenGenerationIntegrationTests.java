package dev.kiln.generations;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.Balance;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerInvariants;
import dev.kiln.providers.vertex.VertexCircuits;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.vertex.VertexEmulator;
import dev.kiln.testing.vertex.VertexRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image generations served by a configured Imagen route, end to end: the API, the ledger, the real
 * google-genai client against the Vertex emulator and S3Proxy. Imagen 4 Fast costs 3 credits an image;
 * the hold is the Gemini image fallback's worst case, 6.
 */
@KilnIntegrationTest
@TestPropertySource(properties = { "kiln.vertex.location=europe-west4",
		"kiln.vertex.routes.image[0].model=imagen-4.0-fast-generate-001", "kiln.vertex.routes.image[0].api=imagen",
		"kiln.vertex.routes.image[1].model=gemini-2.5-flash-image" })
@SuppressWarnings("unchecked")
class ImagenGenerationIntegrationTests {

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

	Requester alice;

	@BeforeEach
	void fund() {
		vertex.resetFaults();
		vertex.clearRequests();
		VertexCircuits.closeAll(context);
		alice = new Requester(web, ledger, db, 100);
	}

	@AfterEach
	void invariantsHold() {
		vertex.resetFaults();
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void anImagenImageIsStoredInTheBucketAndPostedAtItsPricePerImage() throws Exception {
		Map<String, Object> job = alice.request(Map.of("kind", "image", "prompt", "a red kiln"), "imagen-" + TestIds.uuid())
			.expectStatus().isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();

		assertThat(job).containsEntry("status", "succeeded")
			.containsEntry("served_by", "imagen-4.0-fast-generate-001@europe-west4")
			.containsEntry("price", 6)
			.containsEntry("cost", 3);
		assertThat((Map<String, Object>) ((Map<String, Object>) job.get("answer")).get("usage"))
			.containsEntry("input_tokens", 0).containsEntry("output_tokens", 0).containsEntry("images", 1);
		List<Map<String, Object>> outputs = (List<Map<String, Object>>) job.get("outputs");
		assertThat(outputs).singleElement()
			.satisfies(output -> assertThat(output).containsEntry("content_type", "image/png"));
		URI link = URI.create((String) outputs.getFirst().get("url"));
		HttpResponse<byte[]> png = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(png.statusCode()).isEqualTo(200);
		assertThat(png.body()).startsWith(0x89, 'P', 'N', 'G');
		assertThat(alice.balance()).isEqualTo(Balance.of(100 - 3, 0));
		assertThat(db.sql("select provider_cost from generation_jobs where id = :id")
			.bind("id", UUID.fromString((String) job.get("id")))
			.map(row -> row.get("provider_cost", Long.class))
			.one()
			.block()).isEqualTo(18_400);
		assertThat(vertex.requests()).extracting(VertexRequest::method).containsExactly("predict");
	}

	@Test
	void anImageImagenFiltersIsA422SafetyBlockedAndCostsNothing() {
		vertex.blockAnswers(true);

		alice.request(Map.of("kind", "image", "prompt", "a kiln the filters refuse"), "imagen-" + TestIds.uuid())
			.expectStatus().isEqualTo(422)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.code").isEqualTo("safety_blocked").jsonPath("$.detail").value(detail ->
					assertThat((String) detail).contains("filtered out 1 generated images", "no credits were taken"));

		assertThat(alice.balance()).isEqualTo(Balance.of(100, 0));
		assertThat(vertex.requests()).as("a filtered image never falls back").extracting(VertexRequest::model)
			.containsExactly("imagen-4.0-fast-generate-001");
	}
}
