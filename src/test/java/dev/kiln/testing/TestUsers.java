package dev.kiln.testing;

import java.util.Map;

import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Signs users up and in through the real endpoints, as a front end would. */
public final class TestUsers {

	private TestUsers() {
	}

	public static SignedIn signUpAndLogIn(WebTestClient web) {
		String email = "user-" + TestIds.uuid() + "@example.test";
		String password = "pw-" + TestIds.uuid();
		signUp(web, email, password);
		return logIn(web, email, password);
	}

	public static void signUp(WebTestClient web, String email, String password) {
		web.post().uri("/v1/auth/signup").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password))
			.exchange()
			.expectStatus().isAccepted();
	}

	public static SignedIn logIn(WebTestClient web, String email, String password) {
		JsonNode tokens = web.post().uri("/v1/auth/login").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("email", email, "password", password))
			.exchange()
			.expectStatus().isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		return new SignedIn(email, password, tokens.get("access_token").asString(), tokens.get("refresh_token").asString());
	}

	public record SignedIn(String email, String password, String accessToken, String refreshToken) {

		public WebTestClient as(WebTestClient web) {
			return web.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken).build();
		}
	}
}
