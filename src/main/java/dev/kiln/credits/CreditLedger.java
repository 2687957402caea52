package dev.kiln.credits;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Service;

/**
 * Credits move only through the ledger functions in PostgreSQL, called from here or, for a generation
 * job's hold, post and void, from the job's own statements ({@code admit_job}, {@code job_settle}; see
 * decision 0011). Each operation is a single call: one round trip and one transaction (or part of the
 * caller's, when one is active), so an account row is locked only while the server runs it. Each is
 * idempotent by its key: a retry returns the first outcome, flagged {@code replayed}, and moves nothing.
 */
@Service
public class CreditLedger {

	private static final Logger log = LoggerFactory.getLogger(CreditLedger.class);

	private final DatabaseClient db;

	private final Clock clock;

	private final MeterRegistry meters;

	CreditLedger(DatabaseClient db, Clock clock, MeterRegistry meters) {
		this.db = db;
		this.clock = clock;
		this.meters = meters;
	}

	/** Opens the account of a user that has none; opening an open account changes nothing. */
	public Mono<Void> open(AccountId account) {
		return db.sql("insert into credit_accounts (id) values (:id) on conflict do nothing")
			.bind("id", account.value())
			.then();
	}

	public Mono<CreditResult> credit(Movement movement) {
		return call("credit", movementSql("ledger_credit", movement))
			.map(row -> row.outcome().equals("credited") ? new Credited(row.credits(), row.balance(), row.replayed())
					: row.rejected());
	}

	/** Takes credits away; refused with {@code insufficient_credits} rather than going below zero. */
	public Mono<DebitResult> debit(Movement movement) {
		return call("debit", movementSql("ledger_debit", movement))
			.map(row -> row.outcome().equals("debited") ? new Debited(row.credits(), row.balance(), row.replayed())
					: row.rejected());
	}

	/**
	 * Takes back up to the movement's amount from available credits, never from held ones and never
	 * below zero; {@link ClawedBack} says how much was taken and how much could not be.
	 */
	public Mono<ClawedBack> clawBack(Movement movement) {
		return call("claw_back", movementSql("ledger_claw_back", movement)).flatMap(row -> switch (row.outcome()) {
			case "debited" -> Mono.just(new ClawedBack(row.credits(),
					Credits.of(movement.amount().units() - row.credits().units()), row.balance(), row.replayed()));
			default -> Mono.error(new IllegalStateException("claw-back " + movement.key() + " refused: " + row.outcome()));
		});
	}

	/**
	 * Moves the amount from available to held, or is refused with {@code insufficient_credits}. A new
	 * hold whose deadline has already passed is an {@link IllegalArgumentException}; a retry of an
	 * earlier hold returns its first outcome whatever the time.
	 */
	public Mono<HoldResult> hold(HoldRequest request) {
		GenericExecuteSpec sql = db.sql("select * from ledger_hold(:key, :account, :amount, :deadline, :memo, :job, :now)")
			.bind("key", request.key().value())
			.bind("account", request.account().value())
			.bind("amount", request.amount().units())
			.bind("deadline", request.deadline())
			.bind("memo", request.memo())
			.bind("now", clock.instant());
		return call("hold", bindNullable(sql, "job", request.jobId(), UUID.class))
			.map(row -> row.outcome().equals("held") ? new Held(row.hold(), row.credits(), row.balance(), row.replayed())
					: row.rejected());
	}

	/**
	 * Captures {@code amount} (at most what is held; zero is allowed) and releases the rest. A hold past
	 * its deadline is expired instead, its credits returned, and the post refused with {@code expired}.
	 */
	public Mono<PostResult> post(IdempotencyKey key, HoldId hold, Credits amount) {
		return call("post", db.sql("select * from ledger_post(:key, :hold, :amount, :now)")
			.bind("key", key.value())
			.bind("hold", hold.value())
			.bind("amount", amount.units())
			.bind("now", clock.instant()))
			.map(row -> row.outcome().equals("posted")
					? new Posted(row.hold(), row.credits(), row.releasedCredits(), row.balance(), row.replayed())
					: row.rejected());
	}

	/** Releases the whole hold back to available. A pending hold can be voided even past its deadline. */
	public Mono<VoidResult> voidHold(IdempotencyKey key, HoldId hold) {
		return call("void", db.sql("select * from ledger_void(:key, :hold)")
			.bind("key", key.value())
			.bind("hold", hold.value()))
			.map(row -> row.outcome().equals("voided")
					? new Voided(row.hold(), row.releasedCredits(), row.balance(), row.replayed())
					: row.rejected());
	}

	/**
	 * Expires up to {@code limit} pending holds whose deadline has passed, oldest first, each in its own
	 * transaction, and returns the ones it expired. Safe to run on several replicas at once: a hold that
	 * was settled meanwhile is skipped.
	 */
	public Flux<HoldId> expireOverdue(int limit) {
		return Flux.defer(() -> expireOverdueAt(clock.instant(), limit));
	}

	/** The time is read at subscription: a scheduler re-subscribes the same publisher on every run. */
	private Flux<HoldId> expireOverdueAt(Instant now, int limit) {
		return db.sql("select id from credit_holds where status = 'pending' and deadline <= :now order by deadline limit :limit")
			.bind("now", now)
			.bind("limit", limit)
			.map(row -> row.get("id", UUID.class))
			.all()
			.concatMap(hold -> call("expire", db.sql("select * from ledger_expire(:hold, :now)")
				.bind("hold", hold)
				.bind("now", now)))
			.filter(row -> row.outcome().equals("expired"))
			.map(LedgerRow::hold);
	}

	/** The account's balance, or empty when it has no account. */
	public Mono<Balance> balance(AccountId account) {
		return db.sql("select available, held from credit_accounts where id = :id")
			.bind("id", account.value())
			.map(row -> Balance.of(row.get("available", Long.class), row.get("held", Long.class)))
			.one();
	}

	/** One page of the account's ledger, newest first. */
	public Mono<LedgerPage> ledger(AccountId account, @Nullable LedgerCursor cursor, int limit) {
		if (limit < 1 || limit > 500) {
			return Mono.error(new IllegalArgumentException("limit must be between 1 and 500"));
		}
		return db.sql("select * from balance_ledger where account_id = :account and id < :before order by id desc limit :limit")
			.bind("account", account.value())
			.bind("before", cursor == null ? Long.MAX_VALUE : cursor.beforeId())
			.bind("limit", limit + 1)
			.map(LedgerEntries::read)
			.all()
			.collectList()
			.map(entries -> page(entries, limit));
	}

	private static LedgerPage page(List<LedgerEntry> entries, int limit) {
		if (entries.size() <= limit) {
			return new LedgerPage(entries, null);
		}
		List<LedgerEntry> shown = entries.subList(0, limit);
		return new LedgerPage(shown, new LedgerCursor(shown.getLast().id()));
	}

	private GenericExecuteSpec movementSql(String function, Movement movement) {
		GenericExecuteSpec sql = db.sql("select * from " + function + "(:key, :account, :amount, :memo, :payment)")
			.bind("key", movement.key().value())
			.bind("account", movement.account().value())
			.bind("amount", movement.amount().units())
			.bind("memo", movement.memo());
		return bindNullable(sql, "payment", movement.paymentRef(), String.class);
	}

	private static GenericExecuteSpec bindNullable(GenericExecuteSpec sql, String name, @Nullable Object value,
			Class<?> type) {
		return value == null ? sql.bindNull(name, type) : sql.bind(name, value);
	}

	/**
	 * Runs one ledger function. Two concurrent first uses of a key that lock no common row (a key reused
	 * across accounts, or a rejection for an unknown account) can collide on the key's unique index;
	 * running again then finds the winner's outcome.
	 */
	private Mono<LedgerRow> call(String operation, GenericExecuteSpec sql) {
		return sql.map(LedgerRow::read)
			.one()
			.retryWhen(Retry.max(1).filter(DuplicateKeyException.class::isInstance))
			.onErrorMap(LedgerErrors::isInvalidArgument, LedgerErrors::asIllegalArgument)
			.doOnNext(row -> record(operation, row));
	}

	private void record(String operation, LedgerRow row) {
		counted(operation, row.outcome(), row.replayed());
	}

	/**
	 * Counts an operation that ran inside another module's statement (a job's hold in {@code admit_job},
	 * its post or void in {@code job_settle}), as the operations run here are counted.
	 */
	public void counted(String operation, String outcome, boolean replayed) {
		meters.counter("kiln.credits.operations", "operation", operation, "outcome", outcome, "replayed",
				Boolean.toString(replayed))
			.increment();
		log.debug("ledger {} -> {}{}", operation, outcome, replayed ? " (replayed)" : "");
	}
}
