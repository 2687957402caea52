package dev.kiln.credits;

import org.junit.jupiter.api.Test;

import org.springframework.http.ProblemDetail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpendingRefusedTests {

	@Test
	void eachRefusalToSpendIsAProblemWithItsOwnCodeAndStatus() {
		assertProblem(Rejection.INSUFFICIENT_CREDITS, 402, "GET /v1/packages");
		assertProblem(Rejection.PAYMENT_OVERDUE, 402, "POST /v1/billing-portal");
		assertProblem(Rejection.ACCOUNT_SUSPENDED, 403, "suspended");
		assertProblem(Rejection.PAYMENT_DISPUTED, 403, "disputed");
	}

	@Test
	void ledgerMistakesAreNotRefusalsToSpend() {
		assertThat(SpendingRefused.applies(Rejection.KEY_REUSED)).isFalse();
		assertThat(SpendingRefused.applies(Rejection.PAYMENT_OVERDUE)).isTrue();
		assertThatThrownBy(() -> new SpendingRefused(Rejection.UNKNOWN_HOLD)).isInstanceOf(IllegalArgumentException.class);
	}

	private static void assertProblem(Rejection reason, int status, String detailMentions) {
		ProblemDetail problem = new SpendingRefused(reason).getBody();
		assertThat(problem.getStatus()).isEqualTo(status);
		assertThat(problem.getProperties()).containsEntry("code", reason.code());
		assertThat(problem.getType().toString()).isEqualTo("urn:kiln:problem:" + reason.code());
		assertThat(problem.getDetail()).contains(detailMentions);
	}
}
