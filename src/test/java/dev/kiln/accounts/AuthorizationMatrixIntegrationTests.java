package dev.kiln.accounts;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Movement;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint of the API document, with who may call it: anonymous callers get 401 wherever a
 * credential is needed, a second user gets 404 on the first user's resources and never sees their
 * data, a non-admin gets 403 on admin endpoints. The test fails when an endpoint is added without a
 * row here.
 */
@KilnIntegrationTest
class AuthorizationMatrixIntegrationTests {

	enum Access {
		PUBLIC, OWN_DATA, OWNED_RESOURCE, ADMIN,
		/** Spends credits: a caller without them is refused 402, which still proves the caller was let in. */
		SPENDS,
		/** An event stream of one's own jobs: read for a second, it must show nothing of anyone else's. */
		OWN_STREAM
	}

	record Endpoint(HttpMethod method, String path, Access access, @Nullable Object body) {
	}

	static final List<Endpoint> MATRIX = List.of(
			new Endpoint(HttpMethod.POST, "/v1/auth/signup", Access.PUBLIC, null),
			new Endpoint(HttpMethod.POST, "/v1/auth/login", Access.PUBLIC, null),
			new Endpoint(HttpMethod.POST, "/v1/auth/refresh", Access.PUBLIC, null),
			new Endpoint(HttpMethod.GET, "/.well-known/jwks.json", Access.PUBLIC, null),
			new Endpoint(HttpMethod.GET, "/v1/packages", Access.PUBLIC, null),
			new Endpoint(HttpMethod.POST, "/webhooks/stripe", Access.PUBLIC, null),
			// authenticated by a per-job token in the URL, not by a caller's credential
			new Endpoint(HttpMethod.POST, "/webhooks/runpod/{id}", Access.PUBLIC, null),
			new Endpoint(HttpMethod.POST, "/webhooks/runpod/{id}/progress", Access.PUBLIC, null),
			new Endpoint(HttpMethod.POST, "/v1/generations", Access.SPENDS, Map.of("kind", "video", "workflow",
					"text-to-video", "prompt", "a fox", "parameters", Map.of("duration_seconds", 30))),
			new Endpoint(HttpMethod.GET, "/v1/generations/{id}", Access.OWNED_RESOURCE, null),
			new Endpoint(HttpMethod.GET, "/v1/generations", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.GET, "/v1/generations/{id}/events", Access.OWNED_RESOURCE, null),
			new Endpoint(HttpMethod.GET, "/v1/generations/events", Access.OWN_STREAM, null),
			new Endpoint(HttpMethod.POST, "/v1/stream-tickets", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.POST, "/v1/generations/{id}/cancel", Access.OWNED_RESOURCE, null),
			new Endpoint(HttpMethod.POST, "/v1/checkout-sessions", Access.OWN_DATA, Map.of("item_id", "pack-100")),
			new Endpoint(HttpMethod.POST, "/v1/billing-portal", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.GET, "/v1/payments", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.POST, "/v1/auth/logout", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.GET, "/v1/me", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.GET, "/v1/credits", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.GET, "/v1/credits/ledger", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.GET, "/v1/api-keys", Access.OWN_DATA, null),
			new Endpoint(HttpMethod.POST, "/v1/api-keys", Access.OWN_DATA, Map.of("name", "b", "scopes", List.of("credits:read"))),
			new Endpoint(HttpMethod.DELETE, "/v1/api-keys/{id}", Access.OWNED_RESOURCE, null),
			new Endpoint(HttpMethod.GET, "/admin/users", Access.ADMIN, null),
			new Endpoint(HttpMethod.PUT, "/admin/users/{id}/status", Access.ADMIN, Map.of("status", "suspended")),
			new Endpoint(HttpMethod.GET, "/admin/generations", Access.ADMIN, null),
			new Endpoint(HttpMethod.GET, "/admin/generations/{id}", Access.ADMIN, null),
			new Endpoint(HttpMethod.GET, "/admin/payments", Access.ADMIN, null),
			new Endpoint(HttpMethod.GET, "/admin/costs", Access.ADMIN, null));

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Test
	void theMatrixCoversEveryDocumentedEndpoint() {
		JsonNode paths = web.get().uri("/v3/api-docs").exchange().expectStatus().isOk().expectBody(JsonNode.class)
			.returnResult().getResponseBody().get("paths");
		Set<String> documented = new HashSet<>();
		paths.properties().forEach(path -> path.getValue().properties()
			.forEach(operation -> documented.add(operation.getKey().toUpperCase() + " " + path.getKey())));

		assertThat(MATRIX.stream().map(endpoint -> endpoint.method().name() + " " + endpoint.path()))
			.containsExactlyInAnyOrderElementsOf(documented);
	}

	@Test
	void anonymousCallersGet401WhereverACredentialIsNeeded() {
		for (Endpoint endpoint : MATRIX) {
			if (endpoint.access() == Access.PUBLIC) {
				continue;
			}
			call(web, endpoint, "00000000-0000-0000-0000-000000000000").expectStatus().isUnauthorized()
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		}
	}

	@Test
	void aSecondUserNeverReachesTheFirstUsersResourcesOrData() {
		SignedIn first = TestUsers.signUpAndLogIn(web);
		SignedIn second = TestUsers.signUpAndLogIn(web);
		Map<?, ?> firstKey = first.as(web).post().uri("/v1/api-keys").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "first's", "scopes", List.of("credits:read"))).exchange()
			.expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
		String firstKeyId = (String) ((Map<?, ?>) firstKey.get("api_key")).get("id");
		String firstUserId = first.as(web).get().uri("/v1/me").exchange().expectBody(Map.class).returnResult()
			.getResponseBody().get("id").toString();
		ledger.credit(new Movement(IdempotencyKey.of("matrix-" + dev.kiln.testing.TestIds.uuid()),
				new AccountId(java.util.UUID.fromString(firstUserId)), Credits.of(5), "matrix funds", null)).block();
		String firstJobId = (String) call(first.as(web), MATRIX.stream()
			.filter(endpoint -> endpoint.path().equals("/v1/generations")).findFirst().orElseThrow(), "")
			.expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody().get("id");

		for (Endpoint endpoint : MATRIX) {
			switch (endpoint.access()) {
				case OWNED_RESOURCE -> call(second.as(web), endpoint,
						endpoint.path().startsWith("/v1/generations/") ? firstJobId : firstKeyId).expectStatus().isNotFound()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
				case OWN_DATA -> {
					if (endpoint.path().equals("/v1/auth/logout")) {
						continue;
					}
					String body = call(second.as(web), endpoint, firstKeyId).expectStatus().is2xxSuccessful()
						.expectBody(String.class).returnResult().getResponseBody();
					assertThat(body).as("%s %s", endpoint.method(), endpoint.path())
						.doesNotContain(first.email(), firstKeyId, firstUserId);
				}
				case OWN_STREAM -> {
					List<String> events = call(second.as(web), endpoint, firstKeyId).expectStatus().isOk()
						.returnResult(String.class).getResponseBody().take(Duration.ofSeconds(1)).collectList().block();
					assertThat(String.join("\n", events)).doesNotContain(first.email(), firstJobId, firstUserId);
				}
				case SPENDS -> {
					String body = call(second.as(web), endpoint, firstKeyId).expectStatus()
						.value(status -> assertThat(status).as("%s %s", endpoint.method(), endpoint.path()).isIn(202, 402))
						.expectBody(String.class).returnResult().getResponseBody();
					assertThat(body).doesNotContain(first.email(), firstKeyId, firstUserId);
				}
				case ADMIN -> call(second.as(web), endpoint, firstUserId).expectStatus().isForbidden()
					.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
				case PUBLIC -> {
				}
			}
		}
		web.mutate().defaultHeader("Authorization", "Bearer " + firstKey.get("key")).build()
			.get().uri("/v1/credits").exchange().expectStatus().isOk();
	}

	private static WebTestClient.ResponseSpec call(WebTestClient client, Endpoint endpoint, String id) {
		WebTestClient.RequestBodySpec request = client.method(endpoint.method()).uri(endpoint.path(), id)
			.contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", "matrix-" + dev.kiln.testing.TestIds.uuid());
		return endpoint.body() == null ? request.exchange() : request.bodyValue(endpoint.body()).exchange();
	}
}
