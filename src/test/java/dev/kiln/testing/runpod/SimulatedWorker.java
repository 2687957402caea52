package dev.kiln.testing.runpod;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.kiln.testing.JsonTrees;

/**
 * Kiln's ComfyUI handler, simulated: after the queue delay a worker picks the job up, reports progress
 * 25, 50 and 75 to {@code progress_url} one step apart, renders each output ({@link Render}) and PUTs
 * it to its {@code upload_url}, then completes the job and RunPod sends the webhook. The execution
 * timeout runs from pick-up and the TTL from submission; either ends an unfinished job TIMED_OUT. Every
 * step runs on the emulator's scheduler or HTTP client threads and checks first that the job is still
 * in progress, so a cancel or timeout stops the rest.
 */
final class SimulatedWorker {

	private static final System.Logger LOG = System.getLogger(SimulatedWorker.class.getName());

	private static final int[] PROGRESS = { 25, 50, 75 };

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final JobStore store;

	private final Timings timings;

	private final ScheduledExecutorService scheduler;

	private final HttpClient http;

	private final WebhookSender webhooks;

	SimulatedWorker(JobStore store, Timings timings, ScheduledExecutorService scheduler, HttpClient http,
			WebhookSender webhooks) {
		this.store = store;
		this.timings = timings;
		this.scheduler = scheduler;
		this.http = http;
		this.webhooks = webhooks;
	}

	/** Takes a job that {@code /run} just accepted. */
	void accept(Job job) {
		store.timer(job, later(job.ttl, () -> end(job, JobStatus.TIMED_OUT, null, null)));
		later(timings.queueDelay(), () -> pickUp(job));
	}

	/** Lets a held job go on, now if it is waiting or as soon as it is picked up. */
	void release(String jobId) {
		Runnable next = store.release(jobId);
		if (next != null) {
			later(Duration.ZERO, next);
		}
	}

	private void pickUp(Job job) {
		if (!store.start(job)) {
			return;
		}
		store.timer(job, later(job.executionTimeout, () -> end(job, JobStatus.TIMED_OUT, null, null)));
		Runnable work = () -> work(job);
		if (!job.plan.hold() || !store.park(job, work)) {
			work.run();
		}
	}

	private void work(Job job) {
		if (job.plan.hang()) {
			return; // stays IN_PROGRESS until cancelled or timed out
		}
		if (job.work.problem() != null) {
			end(job, JobStatus.FAILED, null, job.work.problem());
			return;
		}
		later(timings.stepDelay(), () -> step(job, 0));
	}

	private void step(Job job, int index) {
		if (!store.active(job)) {
			return;
		}
		if (index == 1 && job.plan.failWith() != null) {
			end(job, JobStatus.FAILED, null, job.plan.failWith());
		}
		else if (index < PROGRESS.length) {
			report(job, PROGRESS[index])
				.whenComplete((ignored, failure) -> later(timings.stepDelay(), () -> step(job, index + 1)));
		}
		else {
			deliver(job);
		}
	}

	// Best effort, as a handler's progress callback would be: an unanswered report does not stop the job.
	private CompletableFuture<?> report(Job job, int progress) {
		store.progressed(job, progress);
		if (job.work.progressUrl() == null) {
			return CompletableFuture.completedFuture(null);
		}
		HttpRequest request = HttpRequest.newBuilder(job.work.progressUrl())
			.timeout(TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(JsonTrees.write(Map.of("progress", progress))))
			.build();
		return http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
	}

	private void deliver(Job job) {
		List<Map<String, Object>> described = new ArrayList<>();
		List<CompletableFuture<OutputUpload>> uploads = new ArrayList<>();
		for (WorkerInput.Output output : job.work.outputs()) {
			byte[] file = Render.of(job.id, output.name());
			described.add(
					JsonTrees.object("name", output.name(), "size", file.length, "content_type", output.contentType()));
			if (!job.plan.skipUploads()) {
				uploads.add(upload(job, output, file));
			}
		}
		CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
			String error = uploads.stream()
				.map(CompletableFuture::join)
				.filter(upload -> !upload.succeeded())
				.map(upload -> "Upload of output '" + upload.name() + "' failed: "
						+ (upload.status() < 0 ? "no answer" : "HTTP " + upload.status()))
				.findFirst()
				.orElse(null);
			if (error != null) {
				end(job, JobStatus.FAILED, null, error);
			}
			else {
				end(job, JobStatus.COMPLETED, JsonTrees.object("outputs", described), null);
			}
		});
	}

	// PUT exactly to the URL given, as a presigned URL must be used, with the output's content type.
	private CompletableFuture<OutputUpload> upload(Job job, WorkerInput.Output output, byte[] file) {
		HttpRequest request = HttpRequest.newBuilder(output.uploadUrl())
			.timeout(TIMEOUT)
			.header("Content-Type", output.contentType())
			.PUT(HttpRequest.BodyPublishers.ofByteArray(file))
			.build();
		return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, failure) -> {
			OutputUpload upload = new OutputUpload(output.name(), output.uploadUrl(), output.contentType(),
					file.length, failure == null ? response.statusCode() : -1);
			store.uploaded(job, upload);
			return upload;
		});
	}

	private void end(Job job, JobStatus status, Map<String, Object> output, String error) {
		String body = store.finish(job, status, output, error);
		if (body != null && job.webhook != null && !job.plan.dropWebhook()) {
			webhooks.send(job.id, job.webhook, body, job.plan.webhookCopies());
		}
	}

	private ScheduledFuture<?> later(Duration delay, Runnable step) {
		try {
			return scheduler.schedule(() -> {
				try {
					step.run();
				}
				catch (RuntimeException ex) {
					LOG.log(System.Logger.Level.ERROR, "A simulated worker step failed", ex);
				}
			}, delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException closed) {
			return null; // the emulator is closing
		}
	}
}
