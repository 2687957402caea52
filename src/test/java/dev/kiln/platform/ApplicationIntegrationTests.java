package dev.kiln.platform;

import dev.kiln.testing.KilnIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

@KilnIntegrationTest
class ApplicationIntegrationTests {

	@Autowired
	WebTestClient web;

	@Test
	void livenessAndReadinessProbesAreUpWithRealInfrastructure() {
		web.get().uri("/actuator/health/liveness").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP");
		web.get().uri("/actuator/health/readiness").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP");
	}

	@Test
	void overallHealthCoversDatabaseRedisAndStorage() {
		web.get().uri("/actuator/health").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP");
	}

	@Test
	void servesTheOpenApiDocument() {
		web.get().uri("/v3/api-docs").accept(MediaType.APPLICATION_JSON).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.openapi").value(version -> assertThat((String) version).startsWith("3."));
	}

	@Test
	void exposesPrometheusMetrics() {
		web.get().uri("/actuator/prometheus").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).value(body -> assertThat(body).contains("jvm_memory_used_bytes"));
	}
}
