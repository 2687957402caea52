package dev.kiln.testing.runpod;

import java.time.Instant;

/**
 * A {@code /run} call that created a job, and when it arrived by the emulator's clock (before any
 * {@code slowResponses} delay), for measuring how long a request took to reach RunPod.
 */
public record RunRequest(String jobId, String endpointId, Instant receivedAt) {
}
