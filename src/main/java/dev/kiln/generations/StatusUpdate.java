package dev.kiln.generations;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * The data of a stream event. {@code job}, the whole job as {@code GET /v1/generations/{id}} shows it
 * (with its download links or its failure), comes with the first state of a stream and with the
 * terminal event; progress events stay small. {@code seq} is the user's event sequence number; it is
 * absent from the first state of a single job's stream, which is not an event but a reading.
 */
record StatusUpdate(UUID jobId, int version, @Nullable Long seq, String status, int progress, @Nullable String detail,
		Instant at, @Nullable JobView job) {

	boolean terminal() {
		return JobStatus.of(status).isTerminal();
	}

	static StatusUpdate of(JobEvent event, @Nullable JobView job) {
		return new StatusUpdate(event.jobId(), event.version(), event.seq(), event.status(), event.progress(),
				event.detail(), event.at(), job);
	}

	static StatusUpdate state(Job job, @Nullable Long seq, JobView view) {
		return new StatusUpdate(job.id(), job.version(), seq, job.status().code(), job.progress(), null,
				latest(job), view);
	}

	private static Instant latest(Job job) {
		for (Instant at : new Instant[] { job.finishedAt(), job.startedAt(), job.dispatchedAt() }) {
			if (at != null) {
				return at;
			}
		}
		return job.createdAt();
	}
}
