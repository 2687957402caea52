package dev.kiln.generations;

import java.time.Duration;
import java.util.List;

import dev.kiln.platform.Deadlines;
import dev.kiln.platform.LuaScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronization;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;

/**
 * Carries committed job events to the streams of every replica: straight to this replica's
 * {@link StatusHub}, and over a Redis pub/sub channel to the others (see decision 0008). Pub/sub is
 * fire-and-forget, so a message can be lost (Redis down, a replica reconnecting); PostgreSQL stays the
 * truth and {@link StatusSweep} finds what was missed. Nothing about money waits on Redis here.
 */
@Component
class StatusFanOut implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(StatusFanOut.class);

	private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(1);

	// KEYS[1] the channel (named as a key so a cluster routes the script with it); ARGV the messages.
	private static final RedisScript<Long> PUBLISH_ALL = LuaScript.of("""
			for i = 1, #ARGV do
				redis.call('PUBLISH', KEYS[1], ARGV[i])
			end
			return #ARGV
			""", Long.class);

	private final StatusHub hub;

	private final ReactiveStringRedisTemplate redis;

	private final ReactiveRedisMessageListenerContainer listeners;

	private final JsonMapper json;

	private final String channel;

	private volatile Disposable subscription;

	StatusFanOut(StatusHub hub, ReactiveStringRedisTemplate redis, ReactiveRedisMessageListenerContainer listeners,
			JsonMapper json, GenerationSettings settings) {
		this.hub = hub;
		this.redis = redis;
		this.listeners = listeners;
		this.json = json;
		this.channel = settings.streams().channel();
	}

	/**
	 * Announces the event once the current transaction commits (never before: a stream must not show a
	 * change that may still roll back), or at once when there is no transaction.
	 */
	Mono<Void> afterCommit(JobEvent event) {
		return afterCommit(List.of(event));
	}

	/** {@link #afterCommit(JobEvent)} for the events of one transaction, sent to Redis in one round trip. */
	Mono<Void> afterCommit(List<JobEvent> events) {
		if (events.isEmpty()) {
			return Mono.empty();
		}
		return TransactionSynchronizationManager.forCurrentTransaction()
			.flatMap(transaction -> {
				if (!transaction.isSynchronizationActive()) {
					return publish(events);
				}
				transaction.registerSynchronization(new TransactionSynchronization() {
					@Override
					public Mono<Void> afterCommit() {
						return publish(events);
					}
				});
				return Mono.<Void>empty();
			})
			.onErrorResume(NoTransactionException.class, none -> publish(events));
	}

	/**
	 * This replica's streams at once; the others through Redis without waiting for it: the publish is
	 * best effort (the sweep covers a lost one), so a slow Redis must not hold the committing
	 * transaction's connection or delay the transition that committed.
	 */
	private Mono<Void> publish(List<JobEvent> events) {
		events.forEach(hub::deliver);
		Mono.fromCallable(() -> events.stream().map(json::writeValueAsString).toList())
			.flatMap(messages -> Deadlines.within(PUBLISH_TIMEOUT, messages.size() == 1
					? redis.convertAndSend(channel, messages.getFirst())
					: redis.execute(PUBLISH_ALL, List.of(channel), messages).next()))
			.subscribe(null, ex -> log.warn("{} job events (the first: job {} event {}) not published to other replicas ({}); "
					+ "their sweep will find them", events.size(), events.getFirst().jobId(), events.getFirst().version(),
					ex.toString()));
		return Mono.empty();
	}

	@Override
	public void start() {
		subscription = listeners.receive(ChannelTopic.of(channel))
			.map(message -> json.readValue(message.getMessage(), JobEvent.class))
			.doOnNext(hub::deliver)
			.doOnError(ex -> log.warn("job status channel {} failed ({}); resubscribing", channel, ex.toString()))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(10)))
			.subscribe();
	}

	@Override
	public void stop() {
		Disposable current = subscription;
		if (current != null) {
			current.dispose();
		}
		subscription = null;
	}

	@Override
	public boolean isRunning() {
		return subscription != null;
	}
}
