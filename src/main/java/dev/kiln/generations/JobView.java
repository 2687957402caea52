package dev.kiln.generations;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.kiln.storage.ResultStore;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job as its owner sees it. Results come as short-lived download links; storage keys and provider
 * ids stay on the server.
 */
record JobView(UUID id, String kind, String status, @Nullable String workflow, Map<String, Object> request, long price,
		@Nullable Long cost, int progress, @Nullable Failure failure, List<Output> outputs, Instant createdAt,
		@Nullable Instant dispatchedAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, Instant deadline,
		Map<String, String> links) {

	record Failure(String code, @Nullable String detail) {
	}

	/** {@code url} is null once the result is past its retention. */
	record Output(String name, String contentType, long size, @Nullable String url, @Nullable Instant urlExpiresAt) {
	}

	static JobView of(Job job, JsonMapper json, ResultStore store, Duration urlsValidFor, Duration retention, Instant now) {
		List<Results.Stored> stored = job.outputs() == null ? List.of()
				: json.readValue(job.outputs(), new TypeReference<List<Results.Stored>>() {
				});
		boolean retained = job.finishedAt() == null || job.finishedAt().plus(retention).isAfter(now);
		List<Output> outputs = stored.stream()
			.map(output -> new Output(output.name(), output.contentType(), output.size(),
					retained ? store.downloadUrl(output.key(), urlsValidFor) : null,
					retained ? now.plus(urlsValidFor) : null))
			.toList();
		String self = "/v1/generations/" + job.id();
		return new JobView(job.id(), job.kind(), job.status().code(), job.workflow(),
				json.readValue(job.request(), new TypeReference<Map<String, Object>>() {
				}), job.price(), job.cost(), job.progress(),
				job.failureCode() == null ? null : new Failure(job.failureCode(), job.failureDetail()), outputs,
				job.createdAt(), job.dispatchedAt(), job.startedAt(), job.finishedAt(), job.deadline(),
				Map.of("self", self, "events", self + "/events", "cancel", self + "/cancel"));
	}
}
