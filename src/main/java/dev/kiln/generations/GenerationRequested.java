package dev.kiln.generations;

import java.time.Instant;
import java.util.UUID;

/** Published on {@code kiln.generation.requested.v1} (key: the job id) when a job is admitted. */
record GenerationRequested(UUID jobId, UUID userId, String kind, String workflow, Instant requestedAt) {
}
