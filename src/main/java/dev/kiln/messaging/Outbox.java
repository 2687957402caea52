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
		return Mono.fromCallable(() -> prepare(topic, key, message))
			.flatMap(row -> db.sql("insert into outbox (topic, message_key, payload) values (:topic, :key, :payload)")
				.bind("topic", row.topic())
				.bind("key", row.key())
				.bind("payload", row.payload())
				.then());
	}

	/**
	 * The outbox row of {@code message}, for a caller whose own statement inserts it (the {@code outbox}
	 * table's {@code topic}, {@code message_key} and {@code payload}): the same row {@link #append} writes.
	 */
	public Row prepare(String topic, String key, Object message) {
		return new Row(topics.name(topic), key, json.writeValueAsString(message));
	}

	/** An outbox row before it is written: the topic's full name, the message key and the JSON payload. */
	public record Row(String topic, String key, String payload) {
	}
}
