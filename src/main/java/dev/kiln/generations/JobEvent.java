package dev.kiln.generations;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

/**
 * One committed change of a job, as streams deliver it. {@code version} counts the job's changes;
 * {@code seq} counts all of the user's job changes, in commit order, so "everything after seq n" is a
 * complete resume point for a stream of all of the user's jobs.
 */
record JobEvent(UUID jobId, UUID userId, int version, long seq, String status, int progress, @Nullable String detail,
		Instant at) {

	boolean terminal() {
		return JobStatus.of(status).isTerminal();
	}

	static JobEvent read(Readable row) {
		return new JobEvent(row.get("job_id", UUID.class), row.get("user_id", UUID.class),
				row.get("version", Integer.class), row.get("user_seq", Long.class), row.get("status", String.class),
				row.get("progress", Integer.class), row.get("detail", String.class),
				row.get("created_at", OffsetDateTime.class).toInstant());
	}
}
