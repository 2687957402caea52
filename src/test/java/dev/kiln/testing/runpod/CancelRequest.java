package dev.kiln.testing.runpod;

import java.time.Instant;

/**
 * A {@code /cancel} call for a job the endpoint knew, when it arrived, and the status it answered:
 * {@code CANCELLED}, or the terminal status the job already had.
 */
public record CancelRequest(String jobId, String endpointId, Instant receivedAt, JobStatus answered) {
}
