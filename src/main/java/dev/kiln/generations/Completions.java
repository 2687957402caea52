package dev.kiln.generations;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.kiln.providers.runpod.RunpodStatus;
import dev.kiln.storage.ResultStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Service;

/**
 * What RunPod says about a job (its webhook, or the reconciler's poll) turned into the job's state.
 * Success is believed only when every output is in the bucket (exists, not empty, the expected type);
 * a late or repeated report finds the job finished and changes nothing.
 */
@Service
class Completions {

	private static final Logger log = LoggerFactory.getLogger(Completions.class);

	private final Jobs jobs;

	private final JobLifecycle lifecycle;

	private final ResultStore store;

	private final JsonMapper json;

	Completions(Jobs jobs, JobLifecycle lifecycle, ResultStore store, JsonMapper json) {
		this.jobs = jobs;
		this.lifecycle = lifecycle;
		this.store = store;
		this.json = json;
	}

	/** Applies RunPod's status; returns the job as it is afterwards (empty when there is no such job). */
	Mono<Job> apply(UUID id, RunpodStatus status) {
		return jobs.find(id).flatMap(job -> {
			if (job.status().isTerminal()) {
				log.info("job {} is already {}; RunPod's {} changes nothing", id, job.status().code(), status.status());
				return Mono.just(job);
			}
			if (status.isCompleted()) {
				return finished(job);
			}
			if (status.isUnsuccessful()) {
				return lifecycle.fail(id, JobStatus.AT_PROVIDER, status.status().toLowerCase(),
						status.error() == null ? "RunPod reported " + status.status() : status.error())
					.defaultIfEmpty(job);
			}
			if ("IN_PROGRESS".equals(status.status())) {
				return jobs.move(id, Set.of(JobStatus.DISPATCHED), Jobs.Change.to(JobStatus.RUNNING, "started"))
					.switchIfEmpty(jobs.seen(id).thenReturn(job));
			}
			return jobs.seen(id).thenReturn(job);
		});
	}

	/**
	 * RunPod says the job is done, or no longer knows it: the bucket decides. Every output there means
	 * the video is safe and the job succeeded; any missing means it failed.
	 */
	Mono<Job> finished(Job job) {
		return Flux.fromIterable(Results.expectedFor(job))
			.concatMap(expected -> store.head(expected.key())
				.filter(object -> object.size() > 0 && object.contentType() != null
						&& object.contentType().startsWith(expected.contentType()))
				.map(object -> new Results.Stored(expected.name(), expected.key(), expected.contentType(), object.size())))
			.collectList()
			.flatMap(stored -> stored.size() == Results.expectedFor(job).size()
					? lifecycle.succeed(job.id(), json.writeValueAsString(stored))
					: lifecycle.fail(job.id(), JobStatus.OPEN, "missing_output", "the worker reported success but "
							+ missing(job, stored) + " is not in storage"))
			.defaultIfEmpty(job);
	}

	/** A progress report from the worker: the job is running, and its progress only goes up. */
	Mono<Job> progress(UUID id, int percent) {
		return jobs.move(id, JobStatus.AT_PROVIDER, new Jobs.Change(JobStatus.RUNNING, percent, null, null, null, null, null));
	}

	private static String missing(Job job, List<Results.Stored> stored) {
		return Results.expectedFor(job).stream()
			.filter(expected -> stored.stream().noneMatch(found -> found.name().equals(expected.name())))
			.map(Results.Expected::name)
			.findFirst()
			.orElse("an output");
	}
}
