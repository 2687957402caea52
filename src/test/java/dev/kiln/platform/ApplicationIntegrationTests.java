package dev.kiln.platform;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.kiln.testing.KilnIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

@KilnIntegrationTest
class ApplicationIntegrationTests {

	@Autowired
	WebTestClient web;

	@LocalServerPort
	int port;

	@Test
	void livenessAndReadinessProbesAreUpWithRealInfrastructure() {
		web.get().uri("/actuator/health/liveness").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP");
		web.get().uri("/actuator/health/readiness").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP");
	}

	/**
	 * A prober that keeps its connection open between checks, as Envoy's does, checking back to back:
	 * on Reactor Netty 1.3.6 such a connection stopped being read after tens to thousands of checks
	 * (a cached, immediate answer after one computed off the event loop), and the next check hung.
	 */
	@Test
	void healthChecksOnAKeptAliveConnectionAreAllAnswered() throws Exception {
		List<String> paths = List.of("/actuator/health/liveness", "/actuator/health/readiness", "/actuator/health");
		try (HttpClient prober = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
			for (int check = 0; check < 2_000; check++) {
				HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + paths.get(check % 3)))
					.timeout(Duration.ofSeconds(5))
					.build();
				HttpResponse<String> response = prober.send(request, HttpResponse.BodyHandlers.ofString());
				assertThat(response.statusCode()).as("check %d", check).isEqualTo(200);
				assertThat(response.headers().firstValue("connection")).as("check %d", check).hasValue("close");
			}
		}
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
