package dev.kiln.credits;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/** Where a hold's credits went, for the operator: the hold and its ledger entries. Reads only. */
@Service
public class HoldHistory {

	/** One statement, so the hold and its entries come from the same snapshot and agree. */
	private static final String TRACE = """
			select h.id as h_id, h.account_id as h_account, h.amount as h_amount, h.posted_amount as h_posted,
			       h.status as h_status, h.memo as h_memo, h.deadline as h_deadline, h.created_at as h_created,
			       h.resolved_at as h_resolved, e.*
			from credit_holds h left join balance_ledger e on e.hold_id = h.id
			where h.id = :hold
			order by e.id""";

	private final DatabaseClient db;

	HoldHistory(DatabaseClient db) {
		this.db = db;
	}

	/** The hold with its entries, or empty when there is no such hold. */
	public Mono<HoldTrace> of(HoldId hold) {
		return db.sql(TRACE)
			.bind("hold", hold.value())
			.map(row -> new Row(hold(row), row.get("id", Long.class) == null ? null : LedgerEntries.read(row)))
			.all()
			.collectList()
			.filter(rows -> !rows.isEmpty())
			.map(rows -> rows.getFirst().hold().with(rows.stream().map(Row::entry).filter(entry -> entry != null).toList()));
	}

	private static HoldTrace hold(Readable row) {
		OffsetDateTime resolved = row.get("h_resolved", OffsetDateTime.class);
		return new HoldTrace(new HoldId(row.get("h_id", UUID.class)), row.get("h_account", UUID.class),
				row.get("h_amount", Long.class), row.get("h_posted", Long.class), row.get("h_status", String.class),
				row.get("h_memo", String.class), row.get("h_deadline", OffsetDateTime.class).toInstant(),
				row.get("h_created", OffsetDateTime.class).toInstant(), resolved == null ? null : resolved.toInstant(),
				List.of());
	}

	private record Row(HoldTrace hold, @Nullable LedgerEntry entry) {
	}
}
