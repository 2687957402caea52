package dev.kiln.generations;

import java.time.Instant;
import java.time.LocalDate;

import reactor.core.publisher.Flux;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/** What generations cost, by the UTC day they finished on (when their credits were posted or returned). */
@Service
public class GenerationCosts {

	/**
	 * The model is the serving route's model ({@code served_by} without its location), else the video's
	 * workflow, else the provider. Sums are cast back to bigint: PostgreSQL sums bigints as numeric.
	 */
	private static final String DAILY = """
			select (finished_at at time zone 'UTC')::date as day, kind,
			       coalesce(split_part(served_by, '@', 1), workflow, provider) as model,
			       provider_currency as currency,
			       count(*) as generations,
			       count(*) filter (where status = 'succeeded') as succeeded,
			       coalesce(sum(cost), 0)::bigint as credits_posted,
			       coalesce(sum(provider_cost), 0)::bigint as provider_cost,
			       count(*) filter (where cost > 0 and provider_cost is null) as uncosted
			from generation_jobs
			where finished_at >= :from and finished_at < :until
			group by 1, 2, 3, 4
			order by 1, 2, 3, 4""";

	private final DatabaseClient db;

	GenerationCosts(DatabaseClient db) {
		this.db = db;
	}

	/** Finished generations from {@code from} up to, not including, {@code until}, per day, kind, model and currency. */
	public Flux<DailyGenerationCost> daily(Instant from, Instant until) {
		return db.sql(DAILY)
			.bind("from", from)
			.bind("until", until)
			.map(row -> new DailyGenerationCost(row.get("day", LocalDate.class), row.get("kind", String.class),
					row.get("model", String.class), row.get("currency", String.class), row.get("generations", Long.class),
					row.get("succeeded", Long.class), row.get("credits_posted", Long.class),
					row.get("provider_cost", Long.class), row.get("uncosted", Long.class)))
			.all();
	}
}
