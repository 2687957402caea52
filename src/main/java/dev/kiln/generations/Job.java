package dev.kiln.generations;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

/** A {@code generation_jobs} row. {@code request}, {@code outputs} and {@code answer} are JSON text. */
record Job(UUID id, UUID userId, String kind, @Nullable String workflow, String request, String requestHash,
		String idempotencyKey, JobStatus status, long price, @Nullable Long cost, UUID holdId,
		@Nullable String providerEndpoint, @Nullable String providerJobId, int progress, @Nullable String outputs,
		@Nullable String failureCode, @Nullable String failureDetail, int version, Instant deadline, Instant createdAt,
		@Nullable Instant dispatchedAt, @Nullable Instant startedAt, @Nullable Instant finishedAt,
		@Nullable String servedBy, @Nullable Long providerCost, @Nullable String providerCurrency, @Nullable String answer) {

	static Job read(Readable row) {
		return new Job(row.get("id", UUID.class), row.get("user_id", UUID.class), row.get("kind", String.class),
				row.get("workflow", String.class), row.get("request", String.class), row.get("request_hash", String.class),
				row.get("idempotency_key", String.class), JobStatus.of(row.get("status", String.class)),
				row.get("price", Long.class), row.get("cost", Long.class), row.get("hold_id", UUID.class),
				row.get("provider_endpoint", String.class), row.get("provider_job_id", String.class),
				row.get("progress", Integer.class), row.get("outputs", String.class), row.get("failure_code", String.class),
				row.get("failure_detail", String.class), row.get("version", Integer.class),
				instant(row, "deadline"), instant(row, "created_at"), instant(row, "dispatched_at"),
				instant(row, "started_at"), instant(row, "finished_at"), row.get("served_by", String.class),
				row.get("provider_cost", Long.class), row.get("provider_currency", String.class),
				row.get("answer", String.class));
	}

	String provider() {
		return providerOf(kind);
	}

	/** Who runs a job of this kind: RunPod for videos, Vertex AI for images and texts. */
	static String providerOf(String kind) {
		return kind.equals("video") ? "runpod" : "vertex";
	}

	private static @Nullable Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant();
	}
}
