package dev.kiln.generations;

import java.util.Set;

/** A job's life: {@code queued → dispatched → running → succeeded | failed | canceled | expired}. */
enum JobStatus {

	QUEUED, DISPATCHED, RUNNING, SUCCEEDED, FAILED, CANCELED, EXPIRED;

	static final Set<JobStatus> OPEN = Set.of(QUEUED, DISPATCHED, RUNNING);

	static final Set<JobStatus> AT_PROVIDER = Set.of(DISPATCHED, RUNNING);

	String code() {
		return name().toLowerCase();
	}

	boolean isTerminal() {
		return !OPEN.contains(this);
	}

	static JobStatus of(String code) {
		return valueOf(code.toUpperCase());
	}
}
