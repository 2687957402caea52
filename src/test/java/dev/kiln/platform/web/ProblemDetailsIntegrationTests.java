package dev.kiln.platform.web;

import java.time.Duration;
import java.util.UUID;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestUsers;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of bad request gets RFC 9457 problem+json with a stable code and a detail a person can act
 * on, never a stack trace. A small controller stands in for the API's endpoints.
 */
@KilnIntegrationTest
@Import(ProblemDetailsIntegrationTests.SampleController.class)
class ProblemDetailsIntegrationTests {

	@Autowired
	WebTestClient anonymous;

	/** Signed in: every path is closed to anonymous callers, unknown ones included. */
	WebTestClient web;

	@BeforeEach
	void signIn() {
		web = TestUsers.signUpAndLogIn(anonymous).as(anonymous);
	}

	@Test
	void anAnonymousRequestIsA401WithAChallenge() {
		anonymous.get().uri("/v1/nothing-here").exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kiln\"")
			.expectBody()
			.jsonPath("$.code").isEqualTo("unauthorized")
			.jsonPath("$.request_id").isNotEmpty();
	}

	@Test
	void malformedJsonIsA400NamingWhereItBroke() {
		post("{\"name\": \"x\", ").expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:kiln:problem:malformed_json")
			.jsonPath("$.code").isEqualTo("malformed_json")
			.jsonPath("$.status").isEqualTo(400)
			.jsonPath("$.detail").value(detail -> assertThat((String) detail)
				.startsWith("The request body is not valid JSON").contains("line 1"))
			.jsonPath("$.instance").isEqualTo("/test/samples")
			.jsonPath("$.request_id").isNotEmpty();
	}

	@Test
	void aValueOfTheWrongTypeNamesTheField() {
		post("{\"name\": \"x\", \"unit_price\": \"cheap\"}").expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.code").isEqualTo("invalid_field")
			.jsonPath("$.errors[0].field").isEqualTo("unit_price")
			.jsonPath("$.errors[0].reason").isEqualTo("must be a number")
			.jsonPath("$.detail").isEqualTo("Invalid request: 'unit_price' must be a number.");
	}

	@Test
	void failedValidationNamesEveryFieldInTheClientsSpelling() {
		post("{\"name\": \" \", \"unit_price\": -1}").expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.code").isEqualTo("validation_failed")
			.jsonPath("$.errors.length()").isEqualTo(2)
			.jsonPath("$.errors[?(@.field == 'unit_price')].reason").isEqualTo("must be greater than 0")
			.jsonPath("$.errors[?(@.field == 'name')].reason").isEqualTo("must not be blank");
	}

	@Test
	void aMissingBodyIsA400() {
		web.post().uri("/test/samples").contentType(MediaType.APPLICATION_JSON).exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.code").isEqualTo("missing_body");
	}

	@Test
	void aWrongContentTypeIsA415SayingWhatToSend() {
		web.post().uri("/test/samples").contentType(MediaType.TEXT_PLAIN).bodyValue("name=x").exchange()
			.expectStatus().isEqualTo(415)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.code").isEqualTo("unsupported_media_type")
			.jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("text/plain", "application/json"));
	}

	@Test
	void anUnknownPathIsA404() {
		web.get().uri("/v1/nothing-here").exchange()
			.expectStatus().isNotFound()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.code").isEqualTo("not_found")
			.jsonPath("$.detail").isEqualTo("Nothing is served at GET /v1/nothing-here.");
	}

	@Test
	void aWrongMethodIsA405ListingTheAllowedOnes() {
		web.delete().uri("/test/samples").exchange()
			.expectStatus().isEqualTo(405)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().valueEquals(HttpHeaders.ALLOW, "POST")
			.expectBody()
			.jsonPath("$.code").isEqualTo("method_not_allowed")
			.jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("DELETE", "POST"));
	}

	@Test
	void anUnexpectedFailureIsA500ThatRevealsNothing() {
		web.get().uri("/test/samples/broken").exchange()
			.expectStatus().isEqualTo(500)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.code").isEqualTo("internal_error")
			.jsonPath("$.request_id").isNotEmpty()
			.consumeWith(result -> assertThat(new String(result.getResponseBody()))
				.doesNotContain("secret-internal-state", "Exception", "at dev.kiln"));
	}

	@Test
	void aWellFormedRequestIdIsEchoedAndABadOneReplaced() {
		web.get().uri("/v1/nothing-here").header("X-Request-Id", "client-42.a_b:c").exchange()
			.expectHeader().valueEquals("X-Request-Id", "client-42.a_b:c")
			.expectBody().jsonPath("$.request_id").isEqualTo("client-42.a_b:c");
		web.get().uri("/v1/nothing-here").header("X-Request-Id", "two words <script>").exchange()
			.expectHeader().value("X-Request-Id", id -> assertThat(UUID.fromString(id).version()).isEqualTo(4));
		web.get().uri("/v1/nothing-here").header("X-Request-Id", "x".repeat(129)).exchange()
			.expectHeader().value("X-Request-Id", id -> assertThat(id).hasSize(36));
	}

	private WebTestClient.ResponseSpec post(String json) {
		return web.post().uri("/test/samples").contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
	}

	record Sample(@NotBlank String name, @Positive long unitPrice) {
	}

	@RestController
	static class SampleController {

		@PostMapping("/test/samples")
		Mono<Sample> create(@Valid @RequestBody Sample sample) {
			return Mono.just(sample);
		}

		@GetMapping("/test/samples/broken")
		Mono<String> broken() {
			return Mono.delay(Duration.ofMillis(5))
				.flatMap(tick -> Mono.error(new IllegalStateException("secret-internal-state")));
		}
	}
}
