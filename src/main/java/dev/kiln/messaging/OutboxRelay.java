package dev.kiln.messaging;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Publishes outbox rows to Kafka, at least once. Woken by PostgreSQL's {@code NOTIFY kiln_outbox} (sent
 * by the insert trigger) and by a periodic sweep that catches anything a lost notification or a crash
 * left behind. A batch is claimed in one statement ({@code FOR UPDATE SKIP LOCKED} inside it, so several
 * replicas share the work without claiming a row twice), sent, and marked published in a second
 * statement once Kafka acknowledged every row: no transaction stays open while Kafka answers. A failed
 * send gives the claim back at once; a relay that dies between the two statements leaves its claim to
 * expire ({@code relay-claim}), after which the rows are sent again (consumers are idempotent).
 */
@Component
class OutboxRelay implements SmartLifecycle, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

	private final DatabaseClient db;

	private final KafkaTemplate<String, String> kafka;

	private final MessagingSettings settings;

	private final ConnectionFactory listenerConnections;

	// KafkaProducer.send blocks while it waits for a topic's metadata (up to max.block.ms), so sends
	// start on a small scheduler of their own, never on an event loop.
	private final Scheduler sends = Schedulers.newBoundedElastic(4, 10_000, "outbox-send", 60, true);

	private volatile Disposable running;

	OutboxRelay(DatabaseClient db, KafkaTemplate<String, String> kafka,
			MessagingSettings settings, R2dbcProperties r2dbc) {
		this.db = db;
		this.kafka = kafka;
		this.settings = settings;
		// LISTEN needs a connection of its own for as long as the relay runs, not one from the pool.
		this.listenerConnections = ConnectionFactories.get(ConnectionFactoryOptions.parse(r2dbc.getUrl())
			.mutate()
			.option(ConnectionFactoryOptions.USER, r2dbc.getUsername())
			.option(ConnectionFactoryOptions.PASSWORD, r2dbc.getPassword() == null ? "" : r2dbc.getPassword())
			.build());
	}

	@Override
	public void start() {
		Flux<String> ticks = Flux.interval(Duration.ZERO, settings.relaySweepInterval()).map(tick -> "sweep");
		running = Flux.merge(ticks, notifications())
			.onBackpressureLatest()
			.concatMap(reason -> drain().onErrorResume(ex -> {
				log.warn("outbox relay failed; the next sweep retries", ex);
				return Mono.empty();
			}), 1)
			.subscribe();
	}

	/** Publishes pending rows until none are left; returns how many were published. */
	Mono<Long> drain() {
		return publishBatch().expand(published -> published == settings.relayBatchSize() ? publishBatch() : Mono.empty())
			.reduce(0L, Long::sum);
	}

	private Mono<Long> publishBatch() {
		return claim().flatMap(rows -> send(rows)
			.then(markPublished(ids(rows)))
			.onErrorResume(failure -> release(ids(rows)).then(Mono.error(failure))));
	}

	/** Up to a batch of unpublished rows nobody else holds, in order, now claimed by this relay. */
	private Mono<List<Row>> claim() {
		return db.sql("""
				update outbox set claimed_until = now() + make_interval(secs => :claim), attempts = attempts + 1
				where id in (select id from outbox
				             where published_at is null and (claimed_until is null or claimed_until <= now())
				             order by id limit :limit for update skip locked)
				returning id, topic, message_key, payload""")
			.bind("claim", settings.relayClaim().toMillis() / 1000.0)
			.bind("limit", settings.relayBatchSize())
			.map(row -> new Row(row.get("id", Long.class), row.get("topic", String.class),
					row.get("message_key", String.class), row.get("payload", String.class)))
			.all()
			.collectSortedList(Comparator.comparingLong(Row::id));
	}

	private static List<Long> ids(List<Row> rows) {
		return rows.stream().map(Row::id).toList();
	}

	/**
	 * Hands every row of the batch to the producer, in order, and then waits for all acknowledgements:
	 * the producer batches them into a few requests instead of one round trip (and one linger) per row.
	 * Calls made in order from one thread keep each key's order, and the idempotent producer keeps it
	 * through retries. One failure fails the batch: none is marked, all are sent again.
	 */
	private Mono<Void> send(List<Row> rows) {
		if (rows.isEmpty()) {
			return Mono.empty();
		}
		return Mono.fromCallable(() -> rows.stream()
				.map(row -> kafka.send(row.topic(), row.key(), row.payload()))
				.toArray(CompletableFuture<?>[]::new))
			.subscribeOn(sends)
			.flatMap(acks -> Mono.fromFuture(CompletableFuture.allOf(acks)));
	}

	private Mono<Long> markPublished(List<Long> ids) {
		if (ids.isEmpty()) {
			return Mono.just(0L);
		}
		return db.sql("update outbox set published_at = now(), claimed_until = null where id = any(:ids)")
			.bind("ids", ids.toArray(Long[]::new))
			.fetch()
			.rowsUpdated();
	}

	/** Gives a failed batch back at once, so the next sweep sends it without waiting for the claim to end. */
	private Mono<Void> release(List<Long> ids) {
		return db.sql("update outbox set claimed_until = null where id = any(:ids) and published_at is null")
			.bind("ids", ids.toArray(Long[]::new))
			.then()
			.onErrorResume(ex -> {
				log.warn("could not give back the outbox claim on {} rows; they go again when it ends", ids.size(), ex);
				return Mono.empty();
			});
	}

	private Flux<String> notifications() {
		return Mono.from(listenerConnections.create())
			.cast(PostgresqlConnection.class)
			.flatMapMany(connection -> connection.createStatement("LISTEN kiln_outbox")
				.execute()
				.flatMap(result -> result.getRowsUpdated())
				.thenMany(connection.getNotifications())
				.map(notification -> "notify")
				.doFinally(signal -> Mono.from(connection.close()).subscribe()))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30))
				.doBeforeRetry(signal -> log.warn("outbox LISTEN connection lost; reconnecting", signal.failure())));
	}

	@Override
	public void stop() {
		Disposable current = running;
		if (current != null) {
			current.dispose();
		}
	}

	@Override
	public void destroy() {
		sends.dispose();
	}

	@Override
	public boolean isRunning() {
		return running != null && !running.isDisposed();
	}

	@Override
	public int getPhase() {
		// after the web server and Kafka are up, stopped before them
		return Integer.MAX_VALUE - 100;
	}

	private record Row(long id, String topic, String key, String payload) {
	}
}
