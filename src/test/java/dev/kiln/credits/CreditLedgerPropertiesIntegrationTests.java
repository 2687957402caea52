package dev.kiln.credits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.kiln.testing.SettableClock;
import dev.kiln.testing.TestDatabases;
import dev.kiln.testing.TestIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.flywaydb.core.Flyway;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of ledger operations, including retries with reused keys and concurrent duplicates,
 * checked against a model of what each must do, and against the invariants after every step.
 */
class CreditLedgerPropertiesIntegrationTests {

	private static TestDatabases.TestDatabase database;

	private static io.r2dbc.pool.ConnectionPool pool;

	private static DatabaseClient db;

	private static SettableClock clock;

	private static CreditLedger ledger;

	@BeforeContainer
	static void database() {
		database = TestDatabases.create("ledgerproperties");
		Flyway.configure()
			.dataSource(database.jdbcUrl(), database.server().user(), database.server().password())
			.load()
			.migrate();
		ConnectionFactory connections = ConnectionFactories
			.get(database.r2dbcUrl().replace("r2dbc:postgresql://", "r2dbc:postgresql://" + database.server().user()
					+ (database.server().password().isEmpty() ? "" : ":" + database.server().password()) + "@"));
		pool = new io.r2dbc.pool.ConnectionPool(io.r2dbc.pool.ConnectionPoolConfiguration.builder(connections)
			.initialSize(1)
			.maxSize(8)
			.build());
		db = DatabaseClient.create(pool);
		clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
		ledger = new CreditLedger(db, clock, new SimpleMeterRegistry());
	}

	@AfterContainer
	static void dropDatabase() {
		pool.disposeLater().block();
		database.drop();
	}

	@Property(tries = 200)
	void everyOperationDoesWhatTheModelSaysAndTheInvariantsHoldAfterEachStep(
			@ForAll("steps") List<Step> steps) {
		Run run = new Run(List.of(open(40), open(0)));
		for (Step step : steps) {
			run.apply(step);
			assertThat(LedgerInvariants.violations(db).block()).as("after %s", step).isEmpty();
		}
		for (AccountId account : run.accounts) {
			assertThat(ledger.balance(account).block()).isEqualTo(run.model.get(account).balance());
		}
	}

	@Provide
	Arbitrary<List<Step>> steps() {
		Arbitrary<Step> step = Combinators.combine(Arbitraries.of(Kind.values()), Arbitraries.integers().between(0, 99),
				Arbitraries.longs().between(1, 25), Arbitraries.integers().between(0, 90))
			.as(Step::new);
		return step.list().ofMinSize(5).ofMaxSize(30);
	}

	private static AccountId open(long credits) {
		return new LedgerFixtures(db, ledger, clock).account(credits).block();
	}

	enum Kind {
		CREDIT, DEBIT, HOLD, POST, VOID, RETRY, CONCURRENT_DUPLICATE, ADVANCE_AND_EXPIRE
	}

	/** {@code pick} chooses an account, hold or earlier operation; {@code amount} and {@code seconds} size it. */
	record Step(Kind kind, int pick, long amount, int seconds) {
	}

	/** The expected state: each account's balance and each hold. */
	static final class Account {

		long available;

		long held;

		Balance balance() {
			return Balance.of(available, held);
		}
	}

	record HoldModel(AccountId account, long amount, Instant deadline, String[] status) {
	}

	/** An operation already made: run again with its key, it must return its first outcome. */
	record Made(Supplier<Mono<?>> operation, Object outcome) {
	}

	static final class Run {

		final List<AccountId> accounts;

		final Map<AccountId, Account> model = new HashMap<>();

		final List<HoldId> holdIds = new ArrayList<>();

		final Map<HoldId, HoldModel> holds = new HashMap<>();

		final List<Made> made = new ArrayList<>();

		Run(List<AccountId> accounts) {
			this.accounts = accounts;
			model.put(accounts.get(0), new Account());
			model.get(accounts.get(0)).available = 40;
			model.put(accounts.get(1), new Account());
		}

		void apply(Step step) {
			switch (step.kind()) {
				case RETRY -> retry(step);
				case CONCURRENT_DUPLICATE -> concurrentDuplicate(step);
				case ADVANCE_AND_EXPIRE -> advanceAndExpire(step);
				default -> {
					Supplier<Mono<?>> operation = operation(step);
					Object outcome = operation.get().block();
					check(step, outcome, false);
					made.add(new Made(operation, outcome));
				}
			}
		}

		private Supplier<Mono<?>> operation(Step step) {
			AccountId account = accounts.get(step.pick() % accounts.size());
			IdempotencyKey key = IdempotencyKey.of("prop:" + TestIds.uuid());
			Credits amount = Credits.of(step.amount());
			HoldId hold = holdIds.isEmpty() ? new HoldId(TestIds.uuid()) : holdIds.get(step.pick() % holdIds.size());
			return switch (step.kind()) {
				case CREDIT -> () -> ledger.credit(new Movement(key, account, amount, "credit", null));
				case DEBIT -> () -> ledger.debit(new Movement(key, account, amount, "debit", null));
				case HOLD -> {
					HoldRequest request = new HoldRequest(key, account, amount,
							clock.instant().plusSeconds(10 + step.seconds()), "hold", null);
					yield () -> ledger.hold(request);
				}
				case POST -> {
					Credits posted = Credits.of(step.amount() % 12);
					yield () -> ledger.post(key, hold, posted);
				}
				case VOID -> () -> ledger.voidHold(key, hold);
				default -> throw new IllegalArgumentException(step.kind().name());
			};
		}

		/** Checks the outcome against the model, and applies it to the model unless it is a replay. */
		private void check(Step step, Object outcome, boolean replayed) {
			AccountId account = accounts.get(step.pick() % accounts.size());
			Account expected = model.get(account);
			switch (step.kind()) {
				case CREDIT -> {
					expected.available += step.amount();
					assertThat(outcome).isEqualTo(new Credited(Credits.of(step.amount()), expected.balance(), replayed));
				}
				case DEBIT -> {
					if (expected.available < step.amount()) {
						assertThat(outcome).isEqualTo(new Rejected(Rejection.INSUFFICIENT_CREDITS, replayed));
						return;
					}
					expected.available -= step.amount();
					assertThat(outcome).isEqualTo(new Debited(Credits.of(step.amount()), expected.balance(), replayed));
				}
				case HOLD -> {
					if (expected.available < step.amount()) {
						assertThat(outcome).isEqualTo(new Rejected(Rejection.INSUFFICIENT_CREDITS, replayed));
						return;
					}
					expected.available -= step.amount();
					expected.held += step.amount();
					assertThat(outcome).isInstanceOfSatisfying(Held.class, held -> {
						assertThat(held).isEqualTo(new Held(held.hold(), Credits.of(step.amount()), expected.balance(), replayed));
						holdIds.add(held.hold());
						holds.put(held.hold(), new HoldModel(account, step.amount(),
								clock.instant().plusSeconds(10 + step.seconds()), new String[] { "pending" }));
					});
				}
				case POST, VOID -> checkSettlement(step, outcome, replayed);
				default -> throw new IllegalArgumentException(step.kind().name());
			}
		}

		private void checkSettlement(Step step, Object outcome, boolean replayed) {
			if (holdIds.isEmpty()) {
				assertThat(outcome).isEqualTo(new Rejected(Rejection.UNKNOWN_HOLD, replayed));
				return;
			}
			HoldId id = holdIds.get(step.pick() % holdIds.size());
			HoldModel hold = holds.get(id);
			Account expected = model.get(hold.account());
			String status = hold.status()[0];
			if (!status.equals("pending")) {
				Rejection settled = switch (status) {
					case "posted" -> Rejection.ALREADY_POSTED;
					case "voided" -> Rejection.ALREADY_VOIDED;
					default -> Rejection.EXPIRED;
				};
				assertThat(outcome).isEqualTo(new Rejected(settled, replayed));
				return;
			}
			boolean overdue = !hold.deadline().isAfter(clock.instant());
			if (step.kind() == Kind.POST && overdue) {
				release(hold, expected, "expired");
				assertThat(outcome).isEqualTo(new Rejected(Rejection.EXPIRED, replayed));
				return;
			}
			if (step.kind() == Kind.VOID) {
				release(hold, expected, "voided");
				assertThat(outcome).isEqualTo(new Voided(id, Credits.of(hold.amount()), expected.balance(), replayed));
				return;
			}
			long posted = step.amount() % 12;
			if (posted > hold.amount()) {
				assertThat(outcome).isEqualTo(new Rejected(Rejection.EXCEEDS_HOLD, replayed));
				return;
			}
			expected.held -= hold.amount();
			expected.available += hold.amount() - posted;
			hold.status()[0] = "posted";
			assertThat(outcome).isEqualTo(new Posted(id, Credits.of(posted), Credits.of(hold.amount() - posted),
					expected.balance(), replayed));
		}

		private static void release(HoldModel hold, Account expected, String status) {
			expected.held -= hold.amount();
			expected.available += hold.amount();
			hold.status()[0] = status;
		}

		/** A retry of an earlier operation returns its first outcome, flagged replayed, and moves nothing. */
		private void retry(Step step) {
			if (made.isEmpty()) {
				return;
			}
			Made earlier = made.get(step.pick() % made.size());
			assertThat(earlier.operation().get().block()).isEqualTo(asReplay(earlier.outcome()));
		}

		/** The same new operation sent twice at once: one is applied, the other is its replay. */
		private void concurrentDuplicate(Step step) {
			Step original = new Step(Kind.values()[step.pick() % 5], step.pick(), step.amount(), step.seconds());
			Supplier<Mono<?>> operation = operation(original);
			List<Object> outcomes = Mono.zip(operation.get(), operation.get()).map(pair -> List.<Object>of(pair.getT1(), pair.getT2())).block();
			Object first = outcomes.stream().filter(outcome -> !isReplay(outcome)).findFirst().orElseThrow();
			assertThat(outcomes).filteredOn(Run::isReplay).hasSize(1).containsExactly(asReplay(first));
			check(original, first, false);
			made.add(new Made(operation, first));
		}

		private void advanceAndExpire(Step step) {
			clock.advance(Duration.ofSeconds(step.seconds()));
			// the database is shared by all tries: earlier tries' pending holds expire here too
			List<HoldId> expired = ledger.expireOverdue(10_000).filter(holds::containsKey).collectList().block();
			List<HoldId> due = holds.entrySet()
				.stream()
				.filter(entry -> entry.getValue().status()[0].equals("pending"))
				.filter(entry -> !entry.getValue().deadline().isAfter(clock.instant()))
				.map(Map.Entry::getKey)
				.toList();
			assertThat(expired).containsExactlyInAnyOrderElementsOf(due);
			due.forEach(id -> release(holds.get(id), model.get(holds.get(id).account()), "expired"));
		}

		private static boolean isReplay(Object outcome) {
			return switch (outcome) {
				case HoldResult r -> r.replayed();
				case PostResult r -> r.replayed();
				case VoidResult r -> r.replayed();
				case CreditResult r -> r.replayed();
				case DebitResult r -> r.replayed();
				default -> false;
			};
		}

		private static Object asReplay(Object outcome) {
			return switch (outcome) {
				case Rejected r -> new Rejected(r.reason(), true);
				case Credited c -> new Credited(c.amount(), c.balance(), true);
				case Debited d -> new Debited(d.amount(), d.balance(), true);
				case Held h -> new Held(h.hold(), h.amount(), h.balance(), true);
				case Posted p -> new Posted(p.hold(), p.posted(), p.released(), p.balance(), true);
				case Voided v -> new Voided(v.hold(), v.released(), v.balance(), true);
				default -> throw new IllegalArgumentException(String.valueOf(outcome));
			};
		}
	}
}
