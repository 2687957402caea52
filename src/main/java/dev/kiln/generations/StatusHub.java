package dev.kiln.generations;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

import org.springframework.stereotype.Component;

/**
 * This replica's open streams, by user, and the signals that reach them: committed job events (from this
 * replica or, through Redis, from others) and "you may be behind" nudges from the sweep.
 *
 * <p>Each stream buffers at most one signal ({@link FluxSink.OverflowStrategy#LATEST}): a stream whose
 * client is slow skips to the newest signal, notices the gap in its sequence and reads what it skipped
 * from PostgreSQL. So memory per stream is bounded and nothing is lost, however slow the client.
 */
@Component
class StatusHub {

	private final Map<UUID, Set<FluxSink<Signal>>> streams = new ConcurrentHashMap<>();

	/** The newest sequence number seen per user with open streams, for the sweep. */
	private final Map<UUID, Long> newestSeen = new ConcurrentHashMap<>();

	private final AtomicInteger open = new AtomicInteger();

	private final int maxPerUser;

	StatusHub(GenerationSettings settings, MeterRegistry meters) {
		this.maxPerUser = settings.streams().maxPerUser();
		Gauge.builder("kiln.streams.open", open, AtomicInteger::get)
			.description("Server-Sent Event streams open on this replica")
			.register(meters);
	}

	/**
	 * The user's signals from the moment of subscription until it is cancelled; registered and cleaned up
	 * with the subscription. Fails with {@link TooManyStreams} when the user already has the most allowed.
	 */
	Flux<Signal> watch(UUID user) {
		return Flux.create(sink -> {
			Set<FluxSink<Signal>> mine = streams.compute(user, (id, existing) -> {
				Set<FluxSink<Signal>> set = existing == null ? ConcurrentHashMap.newKeySet() : existing;
				if (set.size() < maxPerUser) {
					set.add(sink);
					open.incrementAndGet();
				}
				return set;
			});
			if (!mine.contains(sink)) {
				sink.error(new TooManyStreams(maxPerUser));
				return;
			}
			sink.onDispose(() -> close(user, sink));
		}, FluxSink.OverflowStrategy.LATEST);
	}

	/** Whether the user may open another stream here now (checked again, atomically, when it opens). */
	boolean hasRoom(UUID user) {
		Set<FluxSink<Signal>> mine = streams.get(user);
		return mine == null || mine.size() < maxPerUser;
	}

	void deliver(JobEvent event) {
		Set<FluxSink<Signal>> mine = streams.get(event.userId());
		if (mine != null) {
			newestSeen.merge(event.userId(), event.seq(), Math::max);
			Signal live = new Signal.Live(event);
			mine.forEach(sink -> sink.next(live));
		}
	}

	/** The sweep found the user's sequence at {@code seq}: streams that have not reached it read PostgreSQL. */
	void behind(UUID user, long seq) {
		if (newestSeen.getOrDefault(user, 0L) >= seq) {
			return;
		}
		newestSeen.merge(user, seq, Math::max);
		Set<FluxSink<Signal>> mine = streams.get(user);
		if (mine != null) {
			Signal behind = new Signal.Behind(seq);
			mine.forEach(sink -> sink.next(behind));
		}
	}

	/** Users with open streams here, and the newest sequence this replica has seen for each. */
	Map<UUID, Long> watchedUsers() {
		Map<UUID, Long> watched = new HashMap<>();
		streams.keySet().forEach(user -> watched.put(user, newestSeen.getOrDefault(user, 0L)));
		return watched;
	}

	int openStreams() {
		return open.get();
	}

	private void close(UUID user, FluxSink<Signal> sink) {
		streams.computeIfPresent(user, (id, set) -> {
			if (set.remove(sink)) {
				open.decrementAndGet();
			}
			if (set.isEmpty()) {
				newestSeen.remove(user);
				return null;
			}
			return set;
		});
	}

	/** What a stream is told. */
	sealed interface Signal {

		/** A committed job event. */
		record Live(JobEvent event) implements Signal {
		}

		/** The user's events have reached {@code seq}; a stream that has not seen it must read them. */
		record Behind(long seq) implements Signal {
		}
	}
}
