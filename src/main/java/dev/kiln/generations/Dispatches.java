package dev.kiln.generations;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.kiln.providers.runpod.RunpodClient;
import dev.kiln.providers.runpod.RunpodRefused;
import dev.kiln.providers.runpod.RunpodUnavailable;
import dev.kiln.storage.ResultStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Service;

/**
 * Hands a queued job to RunPod. A job first takes a capacity slot ({@link CapacityClaims}: a
 * compare-and-set to {@code dispatched}, allowed only while fewer than {@code max-in-flight} jobs of the
 * endpoint are at RunPod), then RunPod is called. No slot, or RunPod unavailable (its circuit open):
 * the job goes back to {@code queued} and the dispatch waits and tries again, for as long as the job
 * stays queued; nothing fails. RunPod refusing the job fails it and voids its hold
 * ({@link DispatchRefused}, which sends the message to the dead-letter topic).
 */
@Service
class Dispatches {

	private static final Logger log = LoggerFactory.getLogger(Dispatches.class);

	private final Jobs jobs;

	private final JobLifecycle lifecycle;

	private final RunpodClient runpod;

	private final ResultStore store;

	private final Callbacks callbacks;

	private final WorkflowTemplates templates;

	private final GenerationSettings settings;

	private final CapacityClaims claims;

	private final JsonMapper json;

	private final java.time.Clock clock;

	Dispatches(Jobs jobs, JobLifecycle lifecycle, RunpodClient runpod, ResultStore store, Callbacks callbacks,
			WorkflowTemplates templates, GenerationSettings settings, CapacityClaims claims, JsonMapper json,
			java.time.Clock clock) {
		this.jobs = jobs;
		this.lifecycle = lifecycle;
		this.runpod = runpod;
		this.store = store;
		this.callbacks = callbacks;
		this.templates = templates;
		this.settings = settings;
		this.claims = claims;
		this.json = json;
		this.clock = clock;
	}

	/**
	 * The job once it is at RunPod; empty when it is not queued (finished, canceled or expired meanwhile,
	 * or unknown).
	 */
	Mono<Job> dispatch(UUID id) {
		return Mono.defer(() -> claims.claim(id))
			.flatMap(this::send)
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500))
				.maxBackoff(Duration.ofSeconds(5))
				.jitter(0.5)
				.filter(Wait.class::isInstance));
	}

	private Mono<Job> send(Job job) {
		VideoOrder order = json.readValue(job.request(), VideoOrder.class);
		GenerationSettings.Workflow workflow = settings.video().workflows().stream()
			.filter(candidate -> candidate.name().equals(order.workflow()))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("workflow " + order.workflow() + " is no longer configured"));
		Duration urlsValidFor = Duration.between(clock.instant(), job.deadline()).plusMinutes(5);
		Map<String, Object> input = Map.of("workflow", order.workflow(), "prompt",
				templates.render(order, workflow.resolutions().get(order.resolution())), "parameters",
				Map.of("duration_seconds", order.durationSeconds(), "resolution", order.resolution(), "fps", order.fps(),
						"seed", order.seed()),
				"outputs", Results.expectedFor(job).stream()
					.map(expected -> Map.of("name", expected.name(), "content_type", expected.contentType(), "upload_url",
							store.uploadUrl(expected.key(), expected.contentType(), urlsValidFor)))
					.toList(),
				"progress_url", callbacks.progress(job.id()).toString());
		return runpod.run(settings.video().endpointId(), input, callbacks.completion(job.id()),
				settings.video().executionTimeout(), Duration.between(clock.instant(), job.deadline()))
			.flatMap(accepted -> jobs.providerAccepted(job.id(), accepted.id()).thenReturn(job))
			.doOnNext(sent -> log.info("job {} sent to RunPod", job.id()))
			.onErrorResume(RunpodUnavailable.class, unavailable -> lifecycle.requeue(job.id(), unavailable.getMessage())
				.then(Mono.error(new Wait(unavailable.getMessage()))))
			.onErrorResume(RunpodRefused.class, refused -> lifecycle
				.fail(job.id(), Set.of(JobStatus.DISPATCHED), "provider_refused", refused.getMessage())
				.then(Mono.error(new DispatchRefused(job.id(), refused))));
	}

	/** Try again later: the endpoint is full or RunPod is unavailable. The job stays queued. */
	static final class Wait extends RuntimeException {

		Wait(String why) {
			super(why, null, false, false);
		}
	}
}
