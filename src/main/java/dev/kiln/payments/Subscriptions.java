package dev.kiln.payments;

import java.util.UUID;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/** Which plan a user is on, for the features that depend on it (daily generation quotas). */
@Service
public class Subscriptions {

	/** The plan of a user without a subscription. */
	public static final String FREE = "free";

	private final DatabaseClient db;

	Subscriptions(DatabaseClient db) {
		this.db = db;
	}

	/** The plan id of the user's live subscription, or {@link #FREE}. */
	public Mono<String> planOf(UUID user) {
		return db.sql("select plan_id from subscriptions where user_id = :user "
				+ "and status in ('active', 'trialing', 'past_due') order by updated_at desc limit 1")
			.bind("user", user)
			.map(row -> row.get("plan_id", String.class))
			.one()
			.defaultIfEmpty(FREE);
	}
}
