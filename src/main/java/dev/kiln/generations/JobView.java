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
 * A job as its owner sees it. Results come as short-lived download links; storage keys, provider ids and
 * the provider's cost stay on the server. {@code servedBy} ({@code model@location}) and {@code answer}
 * (text, finish reason, usage, cache hit) are set for image and text generations.
 */
record JobView(UUID id, String kind, String status, @Nullable String workflow, Map<String, Object> request, long price,
		@Nullable Long cost, int progress, @Nullable Failure failure, List<Output> outputs, Instant createdAt,
		@Nullable Instant dispatchedAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, Instant deadline,
		@Nullable String servedBy, @Nullable Map<String, Object> answer, Map<String, String> links) {

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
				job.createdAt(), job.dispatchedAt(), job.startedAt(), job.finishedAt(), job.deadline(), job.servedBy(),
				job.answer() == null ? null : json.readValue(job.answer(), new TypeReference<Map<String, Object>>() {
				}),
				Map.of("self", self, "events", self + "/events", "cancel", self + "/cancel"));
	}
}
