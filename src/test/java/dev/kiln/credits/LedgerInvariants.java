package dev.kiln.credits;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

/**
 * The money model's invariants, read from the database for every account: the balance is explained
 * by the ledger ({@code available + held = Σ amount}, each column by its own changes), {@code held} is
 * exactly the open holds, every settled hold was settled by exactly one entry, nothing is negative.
 * Returns one line per violation, so an empty list means all hold.
 */
public final class LedgerInvariants {

	private static final String VIOLATIONS = """
			with ledger as (
			    select account_id, sum(amount) as total, sum(available_change) as available, sum(held_change) as held
			    from balance_ledger group by account_id),
			open_holds as (
			    select account_id, sum(amount) as held from credit_holds where status = 'pending' group by account_id)
			select 'account ' || a.id || ': available ' || a.available || ', held ' || a.held
			       || ' but ledger says total ' || coalesce(l.total, 0) || ', available ' || coalesce(l.available, 0)
			       || ', held ' || coalesce(l.held, 0) || ', open holds ' || coalesce(o.held, 0) as violation
			from credit_accounts a
			left join ledger l on l.account_id = a.id
			left join open_holds o on o.account_id = a.id
			where a.available + a.held <> coalesce(l.total, 0)
			   or a.available <> coalesce(l.available, 0)
			   or a.held <> coalesce(l.held, 0)
			   or a.held <> coalesce(o.held, 0)
			   or a.available < 0 or a.held < 0
			union all
			select 'hold ' || h.id || ' (' || h.status || ') has ' || count(e.id) || ' entries'
			from credit_holds h left join balance_ledger e on e.hold_id = h.id
			group by h.id, h.status
			having count(e.id) <> case h.status when 'pending' then 1 else 2 end
			union all
			select 'hold ' || h.id || ' posted ' || h.posted_amount || ' but its post entry took ' || -e.amount
			from credit_holds h join balance_ledger e on e.hold_id = h.id and e.entry_type = 'post'
			where h.posted_amount <> -e.amount
			""";

	private LedgerInvariants() {
	}

	public static Mono<List<String>> violations(DatabaseClient db) {
		return db.sql(VIOLATIONS).map(row -> row.get("violation", String.class)).all().collectList();
	}
}
