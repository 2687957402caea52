package dev.kiln.messaging;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/**
 * Messages decided by a database transaction. {@link #append} writes the message in the caller's
 * transaction, so it exists exactly when the change that caused it commits; the {@link OutboxRelay}
 * publishes it afterwards, at least once. Consumers are idempotent.
 */
@Service
public class Outbox {

	private final DatabaseClient db;

	private final Topics topics;

	private final JsonMapper json;

	Outbox(DatabaseClient db, Topics topics, JsonMapper json) {
		this.db = db;
		this.topics = topics;
		this.json = json;
	}

	/** Appends {@code message} (a record, written as JSON) for the defined topic, keyed by {@code key}. */
	public Mono<Void> append(String topic, String key, Object message) {
		return Mono.fromCallable(() -> json.writeValueAsString(message))
			.flatMap(payload -> db.sql("insert into outbox (topic, message_key, payload) values (:topic, :key, :payload)")
				.bind("topic", topics.name(topic))
				.bind("key", key)
				.bind("payload", payload)
				.then());
	}
}
