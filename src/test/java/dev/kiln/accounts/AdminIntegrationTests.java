package dev.kiln.accounts;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.HoldRequest;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Movement;
import dev.kiln.credits.Rejected;
import dev.kiln.credits.Rejection;
import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestUsers;
import dev.kiln.testing.TestUsers.SignedIn;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first admin comes from configuration (email and a secret password) and is created at start-up;
 * admins see users and can suspend them, who then cannot spend. Sign-up never makes an admin.
 */
@KilnIntegrationTest
@TestPropertySource(properties = { "kiln.auth.bootstrap-admin.email=Operator@Example.test",
		"kiln.auth.bootstrap-admin.password=operator-password-1" })
class AdminIntegrationTests {

	@Autowired
	WebTestClient web;

	@Autowired
	CreditLedger ledger;

	@Autowired
	SignIn signIn;

	@Test
	void theConfiguredAdminListsUsersAndSuspendsOneWhoThenCannotSpend() {
		SignedIn admin = TestUsers.logIn(web, "operator@example.test", "operator-password-1");
		SignedIn user = TestUsers.signUpAndLogIn(web);
		UUID userId = UUID.fromString(user.as(web).get().uri("/v1/me").exchange().expectBody(Map.class).returnResult()
			.getResponseBody().get("id").toString());
		ledger.credit(new Movement(IdempotencyKey.of("test:" + TestIds.uuid()), new AccountId(userId), Credits.of(30), "gift", null)).block();

		admin.as(web).get().uri("/v1/me").exchange().expectBody().jsonPath("$.role").isEqualTo("admin");
		admin.as(web).get().uri("/admin/users?limit=200").exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.users[?(@.id == '" + userId + "')].email").isEqualTo(user.email());
		admin.as(web).put().uri("/admin/users/{id}/status", userId).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("status", "suspended")).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("suspended");

		assertThat(ledger.hold(new HoldRequest(IdempotencyKey.of("test:" + TestIds.uuid()), new AccountId(userId),
				Credits.of(5), java.time.Instant.now().plus(Duration.ofMinutes(5)), "video", null)).block())
			.isEqualTo(new Rejected(Rejection.ACCOUNT_SUSPENDED, false));
		user.as(web).get().uri("/v1/credits").exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.available").isEqualTo(30);
	}

	@Test
	void anAccountSignedUpWithTheAdminsEmailBeforehandIsNeverPromoted() {
		String email = "squatter-" + TestIds.uuid() + "@example.test";
		SignedIn squatter = TestUsers.signUpAndLogIn(web);
		TestUsers.signUp(web, email, "squatter-password");

		assertThat(signIn.ensureAdmin(EmailAddress.parse(email), "the-operators-password").block()).isFalse();

		TestUsers.logIn(web, email, "squatter-password").as(web).get().uri("/v1/me").exchange()
			.expectBody().jsonPath("$.role").isEqualTo("user");
		squatter.as(web).get().uri("/admin/users").exchange().expectStatus().isForbidden();
		TestUsers.logIn(web, "operator@example.test", "operator-password-1").as(web).get().uri("/v1/me").exchange()
			.expectBody().jsonPath("$.role").isEqualTo("admin");
	}

	@Test
	void adminInputIsValidatedAndUnknownUsersAre404() {
		WebTestClient admin = TestUsers.logIn(web, "operator@example.test", "operator-password-1").as(web);

		admin.put().uri("/admin/users/{id}/status", TestIds.uuid()).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("status", "suspended")).exchange().expectStatus().isNotFound();
		admin.put().uri("/admin/users/{id}/status", TestIds.uuid()).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("status", "banished")).exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("status");
		admin.put().uri("/admin/users/{id}/status", TestIds.uuid()).contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of()).exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("status");
		admin.put().uri("/admin/users/not-a-uuid/status").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("status", "active")).exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("id");
		admin.get().uri("/admin/users?cursor=forged").exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("cursor");
		admin.get().uri("/admin/users?limit=0").exchange().expectStatus().isBadRequest()
			.expectBody().jsonPath("$.errors[0].field").isEqualTo("limit");
	}
}
