package dev.kiln.credits;

import java.time.Duration;
import java.util.UUID;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import static dev.kiln.credits.LedgerFixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@KilnIntegrationTest
class CreditLedgerIntegrationTests {

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	SettableClock clock;

	@Autowired
	TransactionalOperator transactions;

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
	void holdMovesCreditsFromAvailableToHeldInOneEntry() {
		AccountId account = fixtures.account(30).block();

		HoldResult result = ledger.hold(fixtures.hold(account, 12)).block();

		assertThat(result).isInstanceOfSatisfying(Held.class, held -> {
			assertThat(held.amount()).isEqualTo(Credits.of(12));
			assertThat(held.balance()).isEqualTo(Balance.of(18, 12));
			assertThat(held.replayed()).isFalse();
		});
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(18, 12));
		assertThat(entries(account)).isEqualTo(2);
	}

	@Test
	void holdBeyondAvailableIsRefusedAndMovesNothing() {
		AccountId account = fixtures.account(10).block();

		StepVerifier.create(ledger.hold(fixtures.hold(account, 11)))
			.expectNext(new Rejected(Rejection.INSUFFICIENT_CREDITS, false))
			.verifyComplete();
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(10, 0));
		assertThat(entries(account)).isEqualTo(1);
	}

	@Test
	void partialPostCapturesPartAndReleasesTheRest() {
		AccountId account = fixtures.account(30).block();
		Held held = (Held) ledger.hold(fixtures.hold(account, 10)).block();

		PostResult posted = ledger.post(key("post"), held.hold(), Credits.of(7)).block();

		assertThat(posted).isEqualTo(new Posted(held.hold(), Credits.of(7), Credits.of(3), Balance.of(23, 0), false));
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(23, 0));
	}

	@Test
	void postingMoreThanHeldIsRefusedAndTheHoldStaysOpen() {
		AccountId account = fixtures.account(30).block();
		Held held = (Held) ledger.hold(fixtures.hold(account, 10)).block();

		assertThat(ledger.post(key("post"), held.hold(), Credits.of(11)).block())
			.isEqualTo(new Rejected(Rejection.EXCEEDS_HOLD, false));
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(20, 10));
		assertThat(ledger.post(key("post"), held.hold(), Credits.of(10)).block()).isInstanceOf(Posted.class);
	}

	@Test
	void aSecondPostOrVoidIsANamedOutcomeNotASecondMovement() {
		AccountId account = fixtures.account(30).block();
		Held posted = (Held) ledger.hold(fixtures.hold(account, 10)).block();
		Held voided = (Held) ledger.hold(fixtures.hold(account, 5)).block();
		ledger.post(key("post"), posted.hold(), Credits.of(10)).block();
		ledger.voidHold(key("void"), voided.hold()).block();
		int before = entries(account);

		assertThat(ledger.post(key("again"), posted.hold(), Credits.of(10)).block())
			.isEqualTo(new Rejected(Rejection.ALREADY_POSTED, false));
		assertThat(ledger.voidHold(key("again"), posted.hold()).block())
			.isEqualTo(new Rejected(Rejection.ALREADY_POSTED, false));
		assertThat(ledger.post(key("again"), voided.hold(), Credits.of(1)).block())
			.isEqualTo(new Rejected(Rejection.ALREADY_VOIDED, false));
		assertThat(ledger.voidHold(key("again"), voided.hold()).block())
			.isEqualTo(new Rejected(Rejection.ALREADY_VOIDED, false));
		assertThat(entries(account)).isEqualTo(before);
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(20, 0));
	}

	@Test
	void voidReturnsTheWholeHold() {
		AccountId account = fixtures.account(30).block();
		Held held = (Held) ledger.hold(fixtures.hold(account, 10)).block();

		assertThat(ledger.voidHold(key("void"), held.hold()).block())
			.isEqualTo(new Voided(held.hold(), Credits.of(10), Balance.of(30, 0), false));
	}

	@Test
	void replayingAnyOperationWithItsKeyReturnsTheFirstOutcomeAndWritesNothing() {
		AccountId account = fixtures.account(30).block();
		Movement credit = new Movement(key("credit"), account, Credits.of(5), "gift", "pay_1");
		Movement debit = new Movement(key("debit"), account, Credits.of(3), "adjustment", null);
		HoldRequest hold = fixtures.hold(account, 10);
		HoldRequest refused = fixtures.hold(account, 1_000);
		IdempotencyKey postKey = key("post");
		IdempotencyKey voidKey = key("void");

		CreditResult credited = ledger.credit(credit).block();
		DebitResult debited = ledger.debit(debit).block();
		Held held = (Held) ledger.hold(hold).block();
		HoldResult rejected = ledger.hold(refused).block();
		PostResult posted = ledger.post(postKey, held.hold(), Credits.of(4)).block();
		Held second = (Held) ledger.hold(fixtures.hold(account, 2)).block();
		VoidResult voided = ledger.voidHold(voidKey, second.hold()).block();
		int entries = entries(account);
		Balance balance = ledger.balance(account).block();
		ledger.credit(new Movement(key("top-up"), account, Credits.of(10_000), "top-up", null)).block();

		assertThat(ledger.credit(credit).block()).isEqualTo(replayOf(credited));
		assertThat(ledger.debit(debit).block()).isEqualTo(replayOf(debited));
		assertThat(ledger.hold(hold).block()).isEqualTo(replayOf(held));
		assertThat(ledger.hold(refused).block())
			.as("a refusal stands even after a top-up would let it through")
			.isEqualTo(new Rejected(Rejection.INSUFFICIENT_CREDITS, true));
		assertThat(ledger.post(postKey, held.hold(), Credits.of(4)).block()).isEqualTo(replayOf(posted));
		assertThat(ledger.voidHold(voidKey, second.hold()).block()).isEqualTo(replayOf(voided));
		assertThat(entries(account)).isEqualTo(entries + 1);
		assertThat(ledger.balance(account).block().available().units())
			.isEqualTo(balance.available().units() + 10_000);
		assertThat(rejected).isEqualTo(new Rejected(Rejection.INSUFFICIENT_CREDITS, false));
	}

	@Test
	void aKeyReusedForOtherArgumentsIsRefusedAndTheFirstOutcomeStands() {
		AccountId account = fixtures.account(30).block();
		HoldRequest hold = fixtures.hold(account, 10);
		Held held = (Held) ledger.hold(hold).block();

		HoldRequest sameKeyOtherAmount = new HoldRequest(hold.key(), account, Credits.of(11), hold.deadline(), "x", null);
		assertThat(ledger.hold(sameKeyOtherAmount).block()).isEqualTo(new Rejected(Rejection.KEY_REUSED, true));
		assertThat(ledger.post(hold.key(), held.hold(), Credits.of(10)).block())
			.isEqualTo(new Rejected(Rejection.KEY_REUSED, true));
		HoldRequest sameKeyOtherJob = new HoldRequest(hold.key(), account, Credits.of(10), hold.deadline(), "x",
				dev.kiln.testing.TestIds.uuid());
		assertThat(ledger.hold(sameKeyOtherJob).block()).isEqualTo(new Rejected(Rejection.KEY_REUSED, true));
		Movement credit = new Movement(key("credit"), account, Credits.of(1), "gift", "pay_1");
		ledger.credit(credit).block();
		assertThat(ledger.credit(new Movement(credit.key(), account, Credits.of(1), "gift", "pay_2")).block())
			.isEqualTo(new Rejected(Rejection.KEY_REUSED, true));
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(21, 10));
	}

	@Test
	void concurrentDuplicatesOfOneHoldReserveOnce() {
		AccountId account = fixtures.account(30).block();
		HoldRequest hold = fixtures.hold(account, 10);

		var results = Mono.zip(ledger.hold(hold), ledger.hold(hold), ledger.hold(hold)).block();

		assertThat(results.toList()).allSatisfy(result -> assertThat(result).isInstanceOf(Held.class))
			.extracting(result -> ((Held) result).hold())
			.containsOnly(((Held) results.getT1()).hold());
		assertThat(results.toList()).filteredOn(result -> !((Held) result).replayed()).hasSize(1);
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(20, 10));
	}

	@Test
	void anOverdueHoldIsExpiredByTheSweepAndItsCreditsReturn() {
		AccountId account = fixtures.account(30).block();
		Held overdue = (Held) ledger.hold(fixtures.hold(account, 10, Duration.ofMinutes(1))).block();
		Held current = (Held) ledger.hold(fixtures.hold(account, 5, Duration.ofHours(1))).block();
		clock.advance(Duration.ofMinutes(2));

		StepVerifier.create(ledger.expireOverdue(100).filter(overdue.hold()::equals))
			.expectNext(overdue.hold())
			.verifyComplete();

		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(25, 5));
		assertThat(ledger.post(key("late"), overdue.hold(), Credits.of(10)).block())
			.isEqualTo(new Rejected(Rejection.EXPIRED, false));
		assertThat(ledger.voidHold(key("late"), overdue.hold()).block())
			.isEqualTo(new Rejected(Rejection.EXPIRED, false));
		assertThat(ledger.post(key("on-time"), current.hold(), Credits.of(5)).block()).isInstanceOf(Posted.class);
		assertThat(ledger.expireOverdue(100).filter(overdue.hold()::equals).count().block()).isZero();
	}

	@Autowired
	HoldExpirySweep sweep;

	@Test
	void theScheduledSweepReadsTheTimeOnEveryRun() {
		Mono<Void> scheduled = sweep.sweep(); // the scheduler calls this once and re-subscribes it per run
		scheduled.block();
		AccountId account = fixtures.account(30).block();
		Held held = (Held) ledger.hold(fixtures.hold(account, 10, Duration.ofMinutes(1))).block();
		clock.advance(Duration.ofMinutes(2));

		scheduled.block();

		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(30, 0));
		assertThat(ledger.voidHold(key("late"), held.hold()).block()).isEqualTo(new Rejected(Rejection.EXPIRED, false));
	}

	@Test
	void postingPastTheDeadlineExpiresTheHoldAtOnce() {
		AccountId account = fixtures.account(30).block();
		Held held = (Held) ledger.hold(fixtures.hold(account, 10, Duration.ofMinutes(1))).block();
		clock.advance(Duration.ofMinutes(2));

		assertThat(ledger.post(key("late"), held.hold(), Credits.of(10)).block())
			.isEqualTo(new Rejected(Rejection.EXPIRED, false));
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(30, 0));
	}

	@Test
	void aPendingHoldCanBeVoidedAfterItsDeadline() {
		AccountId account = fixtures.account(30).block();
		Held held = (Held) ledger.hold(fixtures.hold(account, 10, Duration.ofMinutes(1))).block();
		clock.advance(Duration.ofMinutes(2));

		assertThat(ledger.voidHold(key("void"), held.hold()).block()).isInstanceOf(Voided.class);
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(30, 0));
	}

	@Test
	void unknownHoldsAndAccountsAreNamed() {
		HoldId nowhere = new HoldId(UUID.randomUUID());
		AccountId nobody = new AccountId(UUID.randomUUID());

		assertThat(ledger.post(key("post"), nowhere, Credits.of(1)).block())
			.isEqualTo(new Rejected(Rejection.UNKNOWN_HOLD, false));
		assertThat(ledger.voidHold(key("void"), nowhere).block()).isEqualTo(new Rejected(Rejection.UNKNOWN_HOLD, false));
		assertThat(ledger.hold(fixtures.hold(nobody, 1)).block())
			.isEqualTo(new Rejected(Rejection.UNKNOWN_ACCOUNT, false));
		assertThat(ledger.credit(new Movement(key("credit"), nobody, Credits.of(1), "x", null)).block())
			.isEqualTo(new Rejected(Rejection.UNKNOWN_ACCOUNT, false));
		assertThat(ledger.balance(nobody).blockOptional()).isEmpty();
	}

	@Test
	void debitNeverTakesAnAccountBelowZero() {
		AccountId account = fixtures.account(10).block();

		assertThat(ledger.debit(new Movement(key("debit"), account, Credits.of(11), "claw-back", null)).block())
			.isEqualTo(new Rejected(Rejection.INSUFFICIENT_CREDITS, false));
		assertThat(ledger.debit(new Movement(key("debit"), account, Credits.of(10), "claw-back", null)).block())
			.isEqualTo(new Debited(Credits.of(10), Balance.of(0, 0), false));
	}

	@Test
	void aHoldInsideAFailedTransactionLeavesNoTrace() {
		AccountId account = fixtures.account(30).block();
		HoldRequest hold = fixtures.hold(account, 10);
		int before = entries(account);

		Mono<Object> admission = ledger.hold(hold)
			.then(Mono.error(new IllegalStateException("job insert failed")))
			.as(transactions::transactional);

		StepVerifier.create(admission).expectErrorMessage("job insert failed").verify();
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(30, 0));
		assertThat(entries(account)).isEqualTo(before);
		assertThat(ledger.hold(hold).block()).as("the rolled-back key is free again").isInstanceOf(Held.class);
	}

	@Test
	void aRetryOfAHoldAfterItsDeadlineStillReturnsTheFirstOutcome() {
		AccountId account = fixtures.account(30).block();
		HoldRequest hold = fixtures.hold(account, 10, Duration.ofMinutes(1));
		Held held = (Held) ledger.hold(hold).block();
		clock.advance(Duration.ofMinutes(2));

		assertThat(ledger.hold(hold).block()).isEqualTo(new Held(held.hold(), held.amount(), held.balance(), true));
	}

	@Test
	void aHoldNeedsADeadlineInTheFuture() {
		AccountId account = fixtures.account(30).block();
		HoldRequest past = new HoldRequest(key("hold"), account, Credits.of(1), clock.instant().minusSeconds(1), "x",
				null);

		StepVerifier.create(ledger.hold(past)).expectError(IllegalArgumentException.class).verify();
		assertThatThrownBy(() -> fixtures.hold(account, 0)).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void theLedgerPagesNewestFirstWithAnOpaqueCursor() {
		AccountId account = fixtures.account(1).block();
		for (int i = 0; i < 6; i++) {
			ledger.credit(new Movement(key("credit"), account, Credits.of(i + 1), "credit " + i, null)).block();
		}

		LedgerPage first = ledger.ledger(account, null, 3).block();
		LedgerPage second = ledger.ledger(account, LedgerCursor.decode(first.next().encode()), 3).block();
		LedgerPage last = ledger.ledger(account, second.next(), 3).block();

		assertThat(first.entries()).extracting(LedgerEntry::amount).containsExactly(6L, 5L, 4L);
		assertThat(second.entries()).extracting(LedgerEntry::amount).containsExactly(3L, 2L, 1L);
		assertThat(last.entries()).extracting(LedgerEntry::amount).containsExactly(1L);
		assertThat(last.next()).isNull();
		assertThat(first.entries().getFirst().balanceAfter()).isEqualTo(Balance.of(22, 0));
		assertThat(first.entries().getFirst().type()).isEqualTo(LedgerEntry.EntryType.CREDIT);
	}

	private int entries(AccountId account) {
		return db.sql("select count(*) as n from balance_ledger where account_id = :id")
			.bind("id", account.value())
			.map(row -> row.get("n", Long.class).intValue())
			.one()
			.block();
	}

	private static Object replayOf(Object first) {
		return switch (first) {
			case Credited c -> new Credited(c.amount(), c.balance(), true);
			case Debited d -> new Debited(d.amount(), d.balance(), true);
			case Held h -> new Held(h.hold(), h.amount(), h.balance(), true);
			case Posted p -> new Posted(p.hold(), p.posted(), p.released(), p.balance(), true);
			case Voided v -> new Voided(v.hold(), v.released(), v.balance(), true);
			default -> throw new IllegalArgumentException("not a movement: " + first);
		};
	}
}
