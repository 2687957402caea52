package dev.kiln.credits;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.kiln.testing.TestIds;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

/** Opens users' accounts and funds them, through the ledger itself. */
final class LedgerFixtures {

	private static final AtomicLong keys = new AtomicLong();

	private final DatabaseClient db;

	private final CreditLedger ledger;

	private final Clock clock;

	LedgerFixtures(DatabaseClient db, CreditLedger ledger, Clock clock) {
		this.db = db;
		this.ledger = ledger;
		this.clock = clock;
	}

	/** A new user with an account holding {@code credits} (credited, so the ledger explains them). */
	Mono<AccountId> account(long credits) {
		AccountId account = new AccountId(TestIds.uuid());
		Mono<Void> funded = credits == 0 ? Mono.empty()
				: ledger.credit(new Movement(key("seed"), account, Credits.of(credits), "test funds", null)).then();
		return db.sql("insert into users (id) values (:id)")
			.bind("id", account.value())
			.then()
			.then(ledger.open(account))
			.then(funded)
			.thenReturn(account);
	}

	HoldRequest hold(AccountId account, long credits) {
		return hold(account, credits, Duration.ofMinutes(10));
	}

	HoldRequest hold(AccountId account, long credits, Duration timeout) {
		return new HoldRequest(key("hold"), account, Credits.of(credits), clock.instant().plus(timeout), "test hold",
				null);
	}

	static IdempotencyKey key(String purpose) {
		return IdempotencyKey.of("test:" + purpose + ":" + TestIds.uuid() + ":" + keys.incrementAndGet());
	}
}
