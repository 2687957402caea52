package dev.kiln.accounts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** API keys: shown once, stored as an HMAC, scoped, revocable. */
@KilnIntegrationTest
class ApiKeysIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	DatabaseClient db;

	@Test
	void aKeyIsShownOnceStoredOnlyAsAnHmacAndWorksWithinItsScopes() {
		SignedIn user = TestUsers.signUpAndLogIn(web);

		Map<?, ?> created = create(user, Map.of("name", "ci", "scopes", List.of("credits:read")))
			.expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
		String key = (String) created.get("key");
		String id = (String) ((Map<?, ?>) created.get("api_key")).get("id");

		assertThat(key).matches("kiln_sk_[0-9A-Za-z]{16}_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}").contains(id);
		String listed = user.as(web).get().uri("/v1/api-keys").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(listed).contains(id).doesNotContain(key.substring(25, 57));
		byte[] stored = db.sql("select secret_hmac from api_keys where id = :id").bind("id", id)
			.map(row -> row.get("secret_hmac", byte[].class)).one().block();
		assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(key.substring(25, 57));

		withKey(key).get().uri("/v1/credits").exchange().expectStatus().isOk();
		withKey(key).get().uri("/v1/me").exchange().expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.code").isEqualTo("insufficient_scope");
		withKey(key).get().uri("/v1/api-keys").exchange().expectStatus().isForbidden();
		assertThat(db.sql("select last_used_at from api_keys where id = :id").bind("id", id)
			.map(row -> row.get("last_used_at", java.time.OffsetDateTime.class)).one().blockOptional()).isPresent();
	}

	@Test
	void aRevokedKeyIsA401() {
		SignedIn user = TestUsers.signUpAndLogIn(web);
		Map<?, ?> created = create(user, Map.of("name", "old", "scopes", List.of("credits:read")))
			.expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
		String key = (String) created.get("key");

		user.as(web).delete().uri("/v1/api-keys/{id}", ((Map<?, ?>) created.get("api_key")).get("id")).exchange()
			.expectStatus().isNoContent();

		withKey(key).get().uri("/v1/credits").exchange().expectStatus().isUnauthorized()
			.expectBody().jsonPath("$.code").isEqualTo("invalid_token");
	}

	@Test
	void anExpiredKeyAndMangledKeysAre401() {
		SignedIn user = TestUsers.signUpAndLogIn(web);
		Map<?, ?> created = create(user, Map.of("name", "soon", "scopes", List.of("credits:read"), "expires_at",
				Instant.now().plusSeconds(2).toString())).expectStatus().isCreated().expectBody(Map.class).returnResult()
			.getResponseBody();
		String key = (String) created.get("key");
		db.sql("update api_keys set expires_at = now() - interval '1 second' where id = :id")
			.bind("id", ((Map<?, ?>) created.get("api_key")).get("id")).then().block();

		withKey(key).get().uri("/v1/credits").exchange().expectStatus().isUnauthorized();
		char last = key.charAt(key.length() - 1);
		withKey(key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a')).get().uri("/v1/credits").exchange()
			.expectStatus().isUnauthorized();
		withKey("kiln_sk_nonsense").get().uri("/v1/credits").exchange().expectStatus().isUnauthorized();
	}

	@Test
	void theRightIdWithAnotherSecretIsRefusedEvenWithAValidChecksum() {
		SignedIn user = TestUsers.signUpAndLogIn(web);
		Map<?, ?> created = create(user, Map.of("name", "real", "scopes", List.of("credits:read")))
			.expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
		String id = (String) ((Map<?, ?>) created.get("api_key")).get("id");
		String forged = new ApiKeyFormat.Parts(id, ApiKeyFormat.generate().secret()).key();

		assertThat(ApiKeyFormat.parse(forged)).as("the forgery passes the checksum").isPresent();
		withKey(forged).get().uri("/v1/credits").exchange().expectStatus().isUnauthorized();
		withKey((String) created.get("key")).get().uri("/v1/credits").exchange().expectStatus().isOk();
	}

	@Test
	void aUserHasAtMostFiftyKeysAtOnce() {
		SignedIn user = TestUsers.signUpAndLogIn(web);
		for (int i = 0; i < ApiKeys.MAX_KEYS_PER_USER; i++) {
			create(user, Map.of("name", "k" + i, "scopes", List.of("credits:read"))).expectStatus().isCreated();
		}

		create(user, Map.of("name", "one too many", "scopes", List.of("credits:read"))).expectStatus().isEqualTo(409)
			.expectBody().jsonPath("$.code").isEqualTo("too_many_api_keys");
	}

	@Test
	void invalidRequestsNameTheField() {
		SignedIn user = TestUsers.signUpAndLogIn(web);

		create(user, Map.of("name", "x", "scopes", List.of("credits:read", "everything"))).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("scopes[1]");
		create(user, Map.of("name", "x", "scopes", List.of())).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("scopes");
		create(user, Map.of("name", "x", "scopes", List.of("credits:read"), "expires_at", "2001-01-01T00:00:00Z"))
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("expires_at");
		create(user, Map.of("name", "x", "scopes", List.of("credits:read"), "expires_at", "tomorrow"))
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("expires_at");
		create(user, Map.of("name", "x", "scopes", List.of("credits:read"), "expires_at", "+300000-01-01T00:00:00Z"))
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("expires_at");
		create(user, Map.of("name", "a\u0000b", "scopes", List.of("credits:read"))).expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("name");
	}

	private WebTestClient.ResponseSpec create(SignedIn user, Map<String, Object> body) {
		return user.as(web).post().uri("/v1/api-keys").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
	}

	private WebTestClient withKey(String key) {
		return web.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key).build();
	}
}
