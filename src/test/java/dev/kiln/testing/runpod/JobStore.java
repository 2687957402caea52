package dev.kiln.testing.runpod;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.kiln.testing.JsonTrees;

/**
 * Endpoints, their jobs and their warm workers, behind one lock. Every state change is a compare-and-set
 * on the job's status, so a completion racing a cancel or a timeout ends the job once, the way the first
 * of them found it. Results are visible to the API for the retention window after a job ends, measured
 * by the emulator's clock.
 */
final class JobStore {

	private final Clock clock;

	private final Timings timings;

	private final Map<String, Deque<String>> idleWorkers = new HashMap<>();

	private final Map<String, Job> jobs = new LinkedHashMap<>();

	private final List<RunRequest> runs = new ArrayList<>();

	private final List<CancelRequest> cancels = new ArrayList<>();

	JobStore(Clock clock, Timings timings) {
		this.clock = clock;
		this.timings = timings;
	}

	Instant now() {
		return clock.instant();
	}

	synchronized void addEndpoint(String endpointId) {
		idleWorkers.putIfAbsent(endpointId, new ArrayDeque<>());
	}

	synchronized boolean hasEndpoint(String endpointId) {
		return idleWorkers.containsKey(endpointId);
	}

	synchronized void add(Job job) {
		jobs.put(job.id, job);
		runs.add(new RunRequest(job.id, job.endpointId, job.receivedAt));
		notifyAll();
	}

	/** The job as the API sees it: on this endpoint and not past its retention; otherwise null. */
	synchronized Job find(String endpointId, String jobId) {
		Job job = jobs.get(jobId);
		if (job == null || !job.endpointId.equals(endpointId) || expired(job, now())) {
			return null;
		}
		return job;
	}

	/** IN_QUEUE → IN_PROGRESS on a warm worker of the endpoint, or a new one. */
	synchronized boolean start(Job job) {
		if (job.status != JobStatus.IN_QUEUE) {
			return false;
		}
		String worker = idleWorkers.get(job.endpointId).pollFirst();
		job.workerId = worker != null ? worker : Ids.workerId();
		job.status = JobStatus.IN_PROGRESS;
		job.startedAt = now();
		notifyAll();
		return true;
	}

	/** Ends a job that has not ended; returns its status JSON for the webhook, or null if it had ended. */
	synchronized String finish(Job job, JobStatus status, Map<String, Object> output, String error) {
		if (job.status.terminal()) {
			return null;
		}
		if (job.status == JobStatus.IN_PROGRESS) {
			idleWorkers.get(job.endpointId).addFirst(job.workerId);
		}
		job.status = status;
		job.output = output;
		job.error = error;
		job.finishedAt = now();
		job.parked = null;
		job.timers.forEach(timer -> timer.cancel(false));
		job.timers.clear();
		notifyAll();
		return JsonTrees.write(status(job));
	}

	/** Records the cancel request and cancels the job unless it has ended; returns the status to answer. */
	synchronized JobStatus cancel(Job job, Instant receivedAt) {
		job.cancelRequested = true;
		finish(job, JobStatus.CANCELLED, null, null);
		cancels.add(new CancelRequest(job.id, job.endpointId, receivedAt, job.status));
		return job.status;
	}

	synchronized boolean active(Job job) {
		return job.status == JobStatus.IN_PROGRESS;
	}

	synchronized void timer(Job job, Future<?> timer) {
		if (timer == null) {
			return;
		}
		if (job.status.terminal()) {
			timer.cancel(false);
		}
		else {
			job.timers.add(timer);
		}
	}

	/** Parks the worker's next step on a held job; false when the job was released already. */
	synchronized boolean park(Job job, Runnable next) {
		if (job.released) {
			return false;
		}
		job.parked = next;
		return true;
	}

	/** Marks the job released and returns the step it was parked on, if any. */
	synchronized Runnable release(String jobId) {
		Job job = require(jobId);
		job.released = true;
		Runnable next = job.parked;
		job.parked = null;
		return next;
	}

	synchronized void progressed(Job job, int progress) {
		job.progress.add(progress);
		notifyAll();
	}

	synchronized void uploaded(Job job, OutputUpload upload) {
		job.uploads.add(upload);
		notifyAll();
	}

	/** {@code /status} and the webhook body, keys in the order RunPod's examples show them. */
	synchronized Map<String, Object> status(Job job) {
		Instant now = now();
		Instant picked = job.startedAt != null ? job.startedAt : job.finishedAt != null ? job.finishedAt : now;
		long executionTime = job.startedAt == null ? 0
				: millis(job.startedAt, job.finishedAt != null ? job.finishedAt : now);
		return JsonTrees.object("delayTime", millis(job.receivedAt, picked), "error", job.error, "executionTime",
				executionTime, "id", job.id, "output", job.output, "status", job.status.name(), "workerId",
				job.workerId);
	}

	// Over the retained jobs: failed counts TIMED_OUT too, retried is 0 (there is no /retry), and a
	// worker stays idle and warm after its job.
	synchronized Map<String, Object> health(String endpointId) {
		Instant now = now();
		Map<JobStatus, Integer> counts = new HashMap<>();
		jobs.values().stream()
			.filter(job -> job.endpointId.equals(endpointId) && !expired(job, now))
			.forEach(job -> counts.merge(job.status, 1, Integer::sum));
		int running = counts.getOrDefault(JobStatus.IN_PROGRESS, 0);
		return JsonTrees.object("jobs", JsonTrees.object("completed", counts.getOrDefault(JobStatus.COMPLETED, 0), "failed",
				counts.getOrDefault(JobStatus.FAILED, 0) + counts.getOrDefault(JobStatus.TIMED_OUT, 0),
				"inProgress", running, "inQueue", counts.getOrDefault(JobStatus.IN_QUEUE, 0), "retried", 0),
				"workers", JsonTrees.object("idle", idleWorkers.get(endpointId).size(), "running", running));
	}

	synchronized RunpodJob view(String jobId) {
		return view(require(jobId));
	}

	synchronized List<RunpodJob> views() {
		return jobs.values().stream().map(this::view).toList();
	}

	synchronized List<RunRequest> runRequests() {
		return List.copyOf(runs);
	}

	synchronized List<CancelRequest> cancelRequests() {
		return List.copyOf(cancels);
	}

	/** Waits on the caller's thread (a test's, never an event loop) until the job matches. */
	synchronized RunpodJob await(String jobId, Predicate<RunpodJob> condition, String description,
			Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			RunpodJob job = jobs.containsKey(jobId) ? view(jobs.get(jobId)) : null;
			if (job != null && condition.test(job)) {
				return job;
			}
			long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			if (left <= 0) {
				throw new AssertionError("Job " + jobId + " was not " + description + " within " + timeout
						+ "; it is " + job);
			}
			try {
				wait(left);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for job " + jobId, ex);
			}
		}
	}

	synchronized Job require(String jobId) {
		Job job = jobs.get(jobId);
		if (job == null) {
			throw new NoSuchElementException("No job " + jobId);
		}
		return job;
	}

	private RunpodJob view(Job job) {
		return new RunpodJob(job.id, job.endpointId, job.status, job.input, job.webhook, job.executionTimeout,
				job.ttl, job.receivedAt, job.startedAt, job.finishedAt, job.workerId,
				job.output == null ? null : Collections.unmodifiableMap(job.output), job.error, job.cancelRequested,
				List.copyOf(job.progress), List.copyOf(job.uploads));
	}

	private boolean expired(Job job, Instant now) {
		return job.finishedAt != null && !now.isBefore(job.finishedAt.plus(timings.retention()));
	}

	private static long millis(Instant from, Instant to) {
		return Math.max(0, Duration.between(from, to).toMillis());
	}
}
