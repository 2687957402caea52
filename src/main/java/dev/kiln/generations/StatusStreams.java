package dev.kiln.generations;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.kiln.generations.StatusHub.Signal;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;

/**
 * Live job status as Server-Sent Events: the current state first, then every committed change in order.
 *
 * <p>Each stream keeps a cursor (the last version of its job, or the last sequence number of its user's
 * events). A live event right after the cursor is sent as it is; an older one is a duplicate and
 * dropped; a newer one means something was skipped (a slow client, a lost pub/sub message), and the
 * stream reads everything after its cursor from PostgreSQL instead. Signals are handled one at a time,
 * so the cursor needs no lock.
 */
@Component
class StatusStreams {

	/** Events read from PostgreSQL per query when catching up. */
	private static final int PAGE = 200;

	private static final Signal START = new Signal.Behind(Long.MAX_VALUE);

	/** Marks the end of a single job's stream whose client has already seen its terminal event. */
	private static final ServerSentEvent<StatusUpdate> END = ServerSentEvent.<StatusUpdate>builder().comment("end").build();

	private static final ServerSentEvent<StatusUpdate> HEARTBEAT = ServerSentEvent.<StatusUpdate>builder().comment("heartbeat").build();

	private final StatusHub hub;

	private final Jobs jobs;

	private final JobEvents events;

	private final JobViews views;

	private final Duration heartbeat;

	private final Duration retry;

	StatusStreams(StatusHub hub, Jobs jobs, JobEvents events, JobViews views, GenerationSettings settings) {
		this.hub = hub;
		this.jobs = jobs;
		this.events = events;
		this.views = views;
		this.heartbeat = settings.streams().heartbeat();
		this.retry = settings.streams().retry();
	}

	/**
	 * One job's stream, ids being the job's versions; it ends after the terminal event. With
	 * {@code afterVersion} it resumes: what came after that version is replayed instead of the state.
	 */
	Flux<ServerSentEvent<StatusUpdate>> ofJob(UUID user, UUID jobId, @Nullable Integer afterVersion) {
		return Flux.defer(() -> {
			AtomicLong cursor = new AtomicLong(afterVersion == null ? 0 : afterVersion);
			Flux<ServerSentEvent<StatusUpdate>> updates = hub.watch(user)
				.filter(signal -> !(signal instanceof Signal.Live live) || live.event().jobId().equals(jobId))
				.startWith(START)
				.concatMap(signal -> detached(switch (signal) {
					case Signal.Live live when live.event().version() <= cursor.get() -> Flux.empty();
					case Signal.Live live when live.event().version() == cursor.get() + 1 -> sendJobEvent(live.event(), cursor);
					case Signal.Live live -> catchUpJob(jobId, cursor);
					case Signal.Behind behind when signal == START && afterVersion == null -> jobState(user, jobId, cursor);
					case Signal.Behind behind when signal == START -> resumeJob(user, jobId, cursor);
					case Signal.Behind behind -> catchUpJob(jobId, cursor);
				}), 1)
				.takeWhile(event -> event != END)
				.takeUntil(event -> event.data() != null && event.data().terminal());
			return withHeartbeats(updates);
		});
	}

	/**
	 * All of the user's jobs, ids being the user's event sequence numbers; it never ends by itself. The
	 * state sent first is that of each open job. With {@code afterSeq} it resumes instead.
	 */
	Flux<ServerSentEvent<StatusUpdate>> ofUser(UUID user, @Nullable Long afterSeq) {
		return Flux.defer(() -> {
			AtomicLong cursor = new AtomicLong(afterSeq == null ? 0 : afterSeq);
			Flux<ServerSentEvent<StatusUpdate>> updates = hub.watch(user)
				.startWith(START)
				.concatMap(signal -> detached(switch (signal) {
					case Signal.Live live when live.event().seq() <= cursor.get() -> Flux.empty();
					case Signal.Live live when live.event().seq() == cursor.get() + 1 -> sendUserEvent(live.event(), cursor);
					case Signal.Live live -> catchUpUser(user, cursor);
					case Signal.Behind behind when signal == START && afterSeq == null -> userState(user, cursor);
					case Signal.Behind behind when behind.seq() > cursor.get() -> catchUpUser(user, cursor);
					case Signal.Behind behind -> Flux.empty();
				}), 1);
			return withHeartbeats(updates);
		});
	}

	private Flux<ServerSentEvent<StatusUpdate>> jobState(UUID user, UUID jobId, AtomicLong cursor) {
		return jobs.findOwned(jobId, user).map(job -> {
			cursor.set(job.version());
			return event("state", job.version(), StatusUpdate.state(job, null, views.of(job)));
		}).flux();
	}

	/** Replays what came after the cursor; a client that saw the end of a finished job gets nothing and the stream ends. */
	private Flux<ServerSentEvent<StatusUpdate>> resumeJob(UUID user, UUID jobId, AtomicLong cursor) {
		return jobs.findOwned(jobId, user)
			.flatMapMany(job -> job.status().isTerminal() && job.version() <= cursor.get() ? Flux.just(END)
					: catchUpJob(jobId, cursor));
	}

	private Flux<ServerSentEvent<StatusUpdate>> catchUpJob(UUID jobId, AtomicLong cursor) {
		return events.ofJob(jobId, (int) cursor.get(), PAGE)
			.collectList()
			.flatMapMany(page -> Flux.fromIterable(page)
				.concatMap(event -> sendJobEvent(event, cursor))
				.concatWith(page.size() < PAGE ? Flux.empty() : Flux.defer(() -> catchUpJob(jobId, cursor))));
	}

	private Flux<ServerSentEvent<StatusUpdate>> sendJobEvent(JobEvent event, AtomicLong cursor) {
		return withJob(event).map(update -> {
			cursor.set(event.version());
			return event("status", event.version(), update);
		}).flux();
	}

	private Flux<ServerSentEvent<StatusUpdate>> userState(UUID user, AtomicLong cursor) {
		return events.snapshot(user).flatMapMany(snapshot -> {
			cursor.set(snapshot.seq());
			return Flux.fromIterable(snapshot.openJobs())
				.map(job -> event("state", snapshot.seq(), StatusUpdate.state(job, snapshot.seq(), views.of(job))));
		});
	}

	private Flux<ServerSentEvent<StatusUpdate>> catchUpUser(UUID user, AtomicLong cursor) {
		return events.ofUser(user, cursor.get(), PAGE)
			.collectList()
			.flatMapMany(page -> Flux.fromIterable(page)
				.concatMap(event -> sendUserEvent(event, cursor))
				.concatWith(page.size() < PAGE ? Flux.empty() : Flux.defer(() -> catchUpUser(user, cursor))));
	}

	private Flux<ServerSentEvent<StatusUpdate>> sendUserEvent(JobEvent event, AtomicLong cursor) {
		return withJob(event).map(update -> {
			cursor.set(event.seq());
			return event("status", event.seq(), update);
		}).flux();
	}

	/** A terminal event carries the whole job, so a client can show the result (or the failure) at once. */
	private Mono<StatusUpdate> withJob(JobEvent event) {
		return event.terminal()
				? jobs.find(event.jobId()).map(job -> StatusUpdate.of(event, views.of(job)))
				: Mono.just(StatusUpdate.of(event, null));
	}

	/**
	 * A retry hint first (it also sends the headers at once), then the updates, with a comment every
	 * heartbeat. Ticks a slow client cannot take are dropped, not queued.
	 */
	private Flux<ServerSentEvent<StatusUpdate>> withHeartbeats(Flux<ServerSentEvent<StatusUpdate>> updates) {
		ServerSentEvent<StatusUpdate> hello = ServerSentEvent.<StatusUpdate>builder().retry(retry).comment("kiln job status").build();
		// prefetch 1 all along: a stream holds one event in flight, not a queue of them
		return updates.publish(shared -> Flux.merge(1, shared,
				Flux.interval(heartbeat).onBackpressureDrop()
					.map(tick -> HEARTBEAT)
					.takeUntilOther(shared.then())), 1)
			.startWith(hello);
	}

	/**
	 * A finished step lets go of what it read: otherwise a stream keeps its last step's rows and views
	 * (its first snapshot, for a quiet stream) for as long as it lives.
	 */
	private static Flux<ServerSentEvent<StatusUpdate>> detached(Flux<ServerSentEvent<StatusUpdate>> step) {
		return step.onTerminateDetach();
	}

	private static ServerSentEvent<StatusUpdate> event(String name, long id, StatusUpdate update) {
		return ServerSentEvent.builder(update).id(Long.toString(id)).event(name).build();
	}
}
