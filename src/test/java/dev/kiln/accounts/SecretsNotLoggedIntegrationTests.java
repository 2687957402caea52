package dev.kiln.accounts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passwords, tokens, API keys and emails never reach a log line, even with Spring's web, security and
 * codec logging at DEBUG. The client is the JDK's, so every captured line is Kiln's own.
 */
@KilnIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
@Isolated("output capture swaps the JVM-wide System.out, which a class running alongside would swap back")
@TestPropertySource(properties = { "logging.level.dev.kiln=debug", "logging.level.org.springframework.security=debug",
		"logging.level.org.springframework.web=debug", "logging.level.org.springframework.r2dbc=debug" })
class SecretsNotLoggedIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Test
	void noCredentialOrEmailAppearsInTheLogsOfAFullSession(CapturedOutput output) throws Exception {
		// short, so that a body logged at DEBUG (truncated to 100 characters) would show all of it
		String email = "s" + TestIds.uuid().toString().substring(0, 8) + "@k.io";
		String password = "pw-" + TestIds.uuid();
		assertThat(post("/v1/auth/signup", null, Map.of("email", email, "password", password)).statusCode()).isEqualTo(202);
		Map<?, ?> login = json.readValue(post("/v1/auth/login", null, Map.of("email", email, "password", password)).body(), Map.class);
		Map<?, ?> refreshed = json.readValue(post("/v1/auth/refresh", null, Map.of("refresh_token", login.get("refresh_token"))).body(), Map.class);
		String access = (String) refreshed.get("access_token");
		Map<?, ?> created = json.readValue(post("/v1/api-keys", access, Map.of("name", "logs", "scopes", java.util.List.of("credits:read"))).body(), Map.class);
		String key = (String) created.get("key");
		assertThat(get("/v1/credits", key).statusCode()).isEqualTo(200);
		assertThat(get("/v1/me", access).statusCode()).isEqualTo(200);
		assertThat(post("/v1/auth/login", null, Map.of("email", email, "password", "wrong-" + password)).statusCode()).isEqualTo(401);
		assertThat(post("/v1/auth/logout", access, Map.of()).statusCode()).isEqualTo(204);

		assertThat(output.getAll()).contains("user logged in", "Decoded [")
			.doesNotContain(password, (String) login.get("access_token"), (String) login.get("refresh_token"), access,
					(String) refreshed.get("refresh_token"), key, key.substring(25, 57), email);
	}

	private HttpResponse<String> post(String path, String bearer, Object body) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
		if (bearer != null) {
			request.header("Authorization", "Bearer " + bearer);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
	}
}
