package dev.kiln.generations;


import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The safety net under pub/sub: every replica asks PostgreSQL, in one query, how far the event sequence
 * of each user it streams to has gone, and tells the streams of users with events it never received to
 * read them. A lost message, a terminal state included, is thus late by at most one interval.
 */
@Component
class StatusSweep {

	private static final Logger log = LoggerFactory.getLogger(StatusSweep.class);

	private final StatusHub hub;

	private final JobEvents events;

	StatusSweep(StatusHub hub, JobEvents events) {
		this.hub = hub;
		this.events = events;
	}

	@Scheduled(fixedDelayString = "${kiln.generations.streams.sweep-interval}",
			initialDelayString = "${kiln.generations.streams.sweep-interval}")
	Mono<Void> sweep() {
		return Mono.fromSupplier(hub::watchedUsers)
			.filter(watched -> !watched.isEmpty())
			.flatMapMany(watched -> events.newest(watched.keySet())
				.filter(newest -> newest.seq() > watched.getOrDefault(newest.user(), 0L)))
			.doOnNext(newest -> hub.behind(newest.user(), newest.seq()))
			.onErrorResume(ex -> {
				log.warn("job status sweep failed; the next one retries", ex);
				return Mono.empty();
			})
			.then();
	}
}
