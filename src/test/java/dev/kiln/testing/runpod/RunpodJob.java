package dev.kiln.testing.runpod;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the emulator knows about a job, as of the moment it was asked; unlike {@code /status} it stays
 * readable after the retention window. {@code webhook}, {@code startedAt}, {@code finishedAt},
 * {@code workerId}, {@code output} and {@code error} are null until they apply. {@code cancelRequested}
 * says a {@code /cancel} came for the job, whether or not it was still running then. {@code progress}
 * lists the values reported to {@code progress_url}, {@code uploads} what was PUT to the upload URLs.
 */
public record RunpodJob(String id, String endpointId, JobStatus status, Map<String, Object> input, URI webhook,
		Duration executionTimeout, Duration ttl, Instant receivedAt, Instant startedAt, Instant finishedAt,
		String workerId, Map<String, Object> output, String error, boolean cancelRequested, List<Integer> progress,
		List<OutputUpload> uploads) {
}
