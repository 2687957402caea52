package dev.kiln.testing.runpod;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * A job as RunPod holds it. What {@code /run} said is fixed; the rest changes only under the
 * {@link JobStore}'s lock, which also guards every read of it.
 */
final class Job {

	final String id;

	final String endpointId;

	final Map<String, Object> input;

	final URI webhook;

	final Duration executionTimeout;

	final Duration ttl;

	final Instant receivedAt;

	final Faults.Plan plan;

	final WorkerInput work;

	JobStatus status = JobStatus.IN_QUEUE;

	Instant startedAt;

	Instant finishedAt;

	String workerId;

	Map<String, Object> output;

	String error;

	boolean cancelRequested;

	boolean released;

	/** What the worker does next once a held job is released; null unless it is waiting. */
	Runnable parked;

	final List<Integer> progress = new ArrayList<>();

	final List<OutputUpload> uploads = new ArrayList<>();

	/** The execution timeout and TTL timers, cancelled when the job ends. */
	final List<Future<?>> timers = new ArrayList<>();

	Job(String id, String endpointId, Map<String, Object> input, URI webhook, Duration executionTimeout,
			Duration ttl, Instant receivedAt, Faults.Plan plan, WorkerInput work) {
		this.id = id;
		this.endpointId = endpointId;
		this.input = input;
		this.webhook = webhook;
		this.executionTimeout = executionTimeout;
		this.ttl = ttl;
		this.receivedAt = receivedAt;
		this.plan = plan;
		this.work = work;
	}
}
