package dev.kiln.payments;

import java.util.Collection;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Every provider event, once. {@link #once} records the event and applies its change in one
 * transaction: a second delivery, even a concurrent one, finds the event recorded (or waits for the
 * first to commit, then finds it) and changes nothing. A change that fails rolls the record back too, so
 * the provider's redelivery tries again.
 */
@Component
class Inbox {

	private static final Logger log = LoggerFactory.getLogger(Inbox.class);

	private final DatabaseClient db;

	private final TransactionalOperator transactions;

	Inbox(DatabaseClient db, TransactionalOperator transactions) {
		this.db = db;
		this.transactions = transactions;
	}

	/** Applies {@code change} unless the event was received before; a null event (the reconciler's own finding) always applies. */
	Mono<Void> once(String provider, PaymentGateway.@Nullable PaymentEvent event, Mono<Void> change) {
		Mono<Boolean> first = event == null ? Mono.just(true)
				: db.sql("insert into payment_inbox (provider, event_id, type) values (:provider, :id, :type) on conflict do nothing")
					.bind("provider", provider)
					.bind("id", event.id())
					.bind("type", event.type())
					.fetch()
					.rowsUpdated()
					.map(rows -> rows == 1);
		return first.flatMap(isFirst -> {
			if (!isFirst) {
				log.info("event {} ({}) was already received; nothing to do", event.id(), event.type());
				return Mono.<Void>empty();
			}
			return change;
		}).as(transactions::transactional);
	}

	/** Which of these event ids were received already. */
	Mono<Set<String>> received(String provider, Collection<String> eventIds) {
		if (eventIds.isEmpty()) {
			return Mono.just(Set.of());
		}
		return db.sql("select event_id from payment_inbox where provider = :provider and event_id = any(:ids)")
			.bind("provider", provider)
			.bind("ids", eventIds.toArray(String[]::new))
			.map(row -> row.get("event_id", String.class))
			.all()
			.collect(java.util.stream.Collectors.toUnmodifiableSet());
	}
}
