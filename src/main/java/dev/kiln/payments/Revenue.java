package dev.kiln.payments;

import java.time.Instant;
import java.time.LocalDate;

import reactor.core.publisher.Flux;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/** Money received, by the UTC day it arrived on. */
@Service
public class Revenue {

	/**
	 * A plan's checkout is left out: its money arrives, and is recorded, as the subscription's first paid
	 * invoice. Refunds count against the payment they return, whenever they happened.
	 */
	private static final String DAILY = """
			select (paid_at at time zone 'UTC')::date as day, currency, count(*) as payments,
			       sum(amount)::bigint as amount, sum(refunded_amount)::bigint as refunded, sum(credits)::bigint as credits
			from payment_transactions
			where paid_at >= :from and paid_at < :until and kind <> 'plan'
			group by 1, 2
			order by 1, 2""";

	private final DatabaseClient db;

	Revenue(DatabaseClient db) {
		this.db = db;
	}

	/** Payments that arrived from {@code from} up to, not including, {@code until}, per day and currency. */
	public Flux<DailyRevenue> daily(Instant from, Instant until) {
		return db.sql(DAILY)
			.bind("from", from)
			.bind("until", until)
			.map(row -> new DailyRevenue(row.get("day", LocalDate.class), row.get("currency", String.class),
					row.get("payments", Long.class), row.get("amount", Long.class), row.get("refunded", Long.class),
					row.get("credits", Long.class)))
			.all();
	}
}
