package dev.kiln.generations;

import java.util.UUID;

/** RunPod refused a job; the job failed, its hold was voided, and its message goes to the dead-letter topic. */
class DispatchRefused extends RuntimeException {

	DispatchRefused(UUID job, Throwable cause) {
		super("RunPod refused job " + job + ": " + cause.getMessage(), cause);
	}
}
