package dev.kiln.generations;

import dev.kiln.platform.web.Problems;
import dev.kiln.providers.runpod.RunpodClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;

/**
 * A user's cancel: the job is canceled and its hold voided first (one transaction), then RunPod is asked
 * to stop the run. If RunPod cannot be reached the run may still finish, and its report then finds the
 * job canceled and changes nothing: the user never pays for a job they canceled.
 */
@Service
class Cancellations {

	private static final Logger log = LoggerFactory.getLogger(Cancellations.class);

	private final JobLifecycle lifecycle;

	private final RunpodClient runpod;

	Cancellations(JobLifecycle lifecycle, RunpodClient runpod) {
		this.lifecycle = lifecycle;
		this.runpod = runpod;
	}

	Mono<Job> cancel(Job job) {
		if (job.status() == JobStatus.CANCELED) {
			return Mono.just(job);
		}
		if (job.status().isTerminal()) {
			return Mono.error(new ErrorResponseException(HttpStatus.CONFLICT, Problems.of(HttpStatus.CONFLICT,
					"already_finished", "This generation already " + job.status().code() + "; there is nothing to cancel."),
					null));
		}
		return lifecycle.cancel(job.id())
			.flatMap(canceled -> stopRun(canceled).thenReturn(canceled))
			// it finished while we were asking: say how
			.switchIfEmpty(Mono.defer(() -> Mono.error(new ErrorResponseException(HttpStatus.CONFLICT,
					Problems.of(HttpStatus.CONFLICT, "already_finished", "This generation finished meanwhile."), null))));
	}

	private Mono<Void> stopRun(Job job) {
		if (job.providerEndpoint() == null || job.providerJobId() == null) {
			return Mono.empty();
		}
		return runpod.cancel(job.providerEndpoint(), job.providerJobId())
			.doOnError(ex -> log.warn("job {} is canceled, but RunPod could not be told to stop it", job.id(), ex))
			.onErrorResume(ex -> Mono.empty())
			.then();
	}
}
