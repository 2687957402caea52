package dev.kiln.credits;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

import static dev.kiln.credits.LedgerFixtures.key;
import static org.assertj.core.api.Assertions.assertThat;

/** Claw-backs never go below zero nor touch held credits; spending locks stop holds but not settlements. */
@KilnIntegrationTest
class ClawBackAndSpendingLocksIntegrationTests {

	@Autowired
	CreditLedger ledger;

	@Autowired
	SpendingLocks locks;

	@Autowired
	DatabaseClient db;

	@Autowired
	SettableClock clock;

	LedgerFixtures fixtures;

	@BeforeEach
	void fixtures() {
		fixtures = new LedgerFixtures(db, ledger, clock);
	}

	@AfterEach
	void invariantsHold() {
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void aClawBackTakesOnlyWhatIsAvailableAndLeavesHeldCreditsAlone() {
		AccountId account = fixtures.account(30).block();
		ledger.hold(fixtures.hold(account, 20)).block();
		Movement refund = new Movement(key("refund"), account, Credits.of(25), "refund", "pi_test");

		ClawedBack first = ledger.clawBack(refund).block();
		assertThat(first.taken()).isEqualTo(Credits.of(10));
		assertThat(first.shortfall()).isEqualTo(Credits.of(15));
		assertThat(first.balance()).isEqualTo(Balance.of(0, 20));

		ClawedBack again = ledger.clawBack(refund).block();
		assertThat(again.replayed()).isTrue();
		assertThat(again.taken()).isEqualTo(Credits.of(10));
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(0, 20));
	}

	@Test
	void aClawBackFromAnEmptyAccountMovesNothingAndWritesNoEntry() {
		AccountId account = fixtures.account(0).block();

		ClawedBack result = ledger.clawBack(new Movement(key("refund"), account, Credits.of(5), "refund", null)).block();

		assertThat(result.taken()).isEqualTo(Credits.ZERO);
		assertThat(result.shortfall()).isEqualTo(Credits.of(5));
		assertThat(db.sql("select count(*) as n from balance_ledger where account_id = :id").bind("id", account.value())
			.map(row -> row.get("n", Long.class)).one().block()).isZero();
	}

	@Test
	void aLockedAccountCannotHoldButItsEarlierHoldsStillSettle() {
		AccountId account = fixtures.account(30).block();
		Held earlier = (Held) ledger.hold(fixtures.hold(account, 10)).block();

		locks.lock(account, SpendingLocks.Reason.PAYMENT_OVERDUE, "in_1").block();
		locks.lock(account, SpendingLocks.Reason.PAYMENT_OVERDUE, "in_1").block();
		locks.lock(account, SpendingLocks.Reason.PAYMENT_DISPUTED, "du_1").block();
		assertThat(ledger.hold(fixtures.hold(account, 5)).block()).isEqualTo(new Rejected(Rejection.PAYMENT_OVERDUE, false));
		assertThat(ledger.post(key("post"), earlier.hold(), Credits.of(10)).block()).isInstanceOf(Posted.class);

		locks.release(account, SpendingLocks.Reason.PAYMENT_OVERDUE, "in_1").block();
		assertThat(ledger.hold(fixtures.hold(account, 5)).block()).isEqualTo(new Rejected(Rejection.PAYMENT_DISPUTED, false));
		locks.release(account, SpendingLocks.Reason.PAYMENT_DISPUTED, "du_1").block();
		assertThat(ledger.hold(fixtures.hold(account, 5)).block()).isInstanceOf(Held.class);
	}
}
