package dev.kiln.testing.runpod;

/**
 * A RunPod job's {@code status}. Jobs start {@code IN_QUEUE}, move to {@code IN_PROGRESS} when a worker
 * picks them up, and end in one of the four terminal states, which never change afterwards.
 */
public enum JobStatus {

	IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED, CANCELLED, TIMED_OUT;

	public boolean terminal() {
		return this != IN_QUEUE && this != IN_PROGRESS;
	}
}
