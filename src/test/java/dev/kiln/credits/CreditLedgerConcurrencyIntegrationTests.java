package dev.kiln.credits;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SettableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

import static dev.kiln.credits.LedgerFixtures.key;
import static org.assertj.core.api.Assertions.assertThat;

/** Many clients on the same accounts at once: the outcome is exact and the invariants hold. */
@KilnIntegrationTest
class CreditLedgerConcurrencyIntegrationTests {

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	SettableClock clock;

	LedgerFixtures fixtures;

	@BeforeEach
	void fixtures() {
		fixtures = new LedgerFixtures(db, ledger, clock);
	}

	@Test
	void tenConcurrentFiveCreditHoldsOnThirtyCreditsGiveExactlySix() {
		AccountId account = fixtures.account(30).block();

		List<HoldResult> results = Flux.range(0, 10)
			.flatMap(i -> ledger.hold(fixtures.hold(account, 5)), 10)
			.collectList()
			.block();

		assertThat(results).filteredOn(Held.class::isInstance).hasSize(6);
		assertThat(results).filteredOn(Rejected.class::isInstance)
			.hasSize(4)
			.allSatisfy(result -> assertThat(result).isEqualTo(new Rejected(Rejection.INSUFFICIENT_CREDITS, false)));
		assertThat(ledger.balance(account).block()).isEqualTo(Balance.of(0, 30));
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void aThousandMixedOperationsOnOneAccountKeepEveryInvariant() {
		AccountId account = fixtures.account(500).block();

		long completed = mixedOperations(List.of(account), 1_000);

		assertThat(completed).isEqualTo(1_000);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	@Test
	void aThousandMixedOperationsOverAHundredAccountsKeepEveryInvariant() {
		List<AccountId> accounts = Flux.range(0, 100).concatMap(i -> fixtures.account(50)).collectList().block();

		long completed = mixedOperations(accounts, 1_000);

		assertThat(completed).isEqualTo(1_000);
		assertThat(LedgerInvariants.violations(db).block()).isEmpty();
	}

	/**
	 * Runs credits, debits, holds, posts (partial ones too) and voids, 32 at a time, posts and voids
	 * racing each other on the same holds; some operations are retried with their key.
	 */
	private long mixedOperations(List<AccountId> accounts, int count) {
		Queue<HoldId> holds = new ConcurrentLinkedQueue<>();
		return Flux.range(0, count)
			.flatMap(i -> operation(accounts, holds), 32)
			.count()
			.block(Duration.ofMinutes(2));
	}

	private Mono<?> operation(List<AccountId> accounts, Queue<HoldId> holds) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		AccountId account = accounts.get(random.nextInt(accounts.size()));
		long amount = 1 + random.nextInt(20);
		HoldId hold = holds.peek();
		return switch (random.nextInt(hold == null ? 3 : 6)) {
			case 0 -> twice(ledger.credit(new Movement(key("credit"), account, Credits.of(amount), "top-up", null)));
			case 1 -> ledger.debit(new Movement(key("debit"), account, Credits.of(amount), "adjustment", null));
			case 2 -> ledger.hold(fixtures.hold(account, amount))
				.doOnNext(result -> {
					if (result instanceof Held held) {
						holds.add(held.hold());
					}
				});
			case 3 -> twice(ledger.post(key("post"), hold, Credits.of(random.nextInt(3))));
			case 4 -> ledger.voidHold(key("void"), hold).doOnNext(result -> holds.remove(hold));
			default -> ledger.post(key("post"), hold, Credits.of(1)).doOnNext(result -> holds.remove(hold));
		};
	}

	/** Runs the same keyed operation twice; the second must be a replay of the first. */
	private static <T> Mono<T> twice(Mono<T> operation) {
		return operation.flatMap(first -> operation.doOnNext(second -> assertThat(replayed(second)).isTrue())
			.thenReturn(first));
	}

	private static boolean replayed(Object result) {
		return switch (result) {
			case CreditResult c -> c.replayed();
			case PostResult p -> p.replayed();
			default -> false;
		};
	}
}
