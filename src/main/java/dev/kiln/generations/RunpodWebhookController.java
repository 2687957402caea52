package dev.kiln.generations;

import java.util.UUID;

import dev.kiln.platform.web.Problems;
import dev.kiln.providers.runpod.RunpodStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Calls from RunPod and its workers: the job's final status (RunPod's webhook) and progress reports.
 * RunPod does not sign webhooks, so the per-job token in the URL is the authentication; a wrong one is
 * a 401 and changes nothing. A genuine call is acknowledged with 200 even when it changes nothing (a
 * late or repeated report), so RunPod does not retry it.
 */
@RestController
class RunpodWebhookController {

	private static final Logger log = LoggerFactory.getLogger(RunpodWebhookController.class);

	private final Callbacks callbacks;

	private final Completions completions;

	RunpodWebhookController(Callbacks callbacks, Completions completions) {
		this.callbacks = callbacks;
		this.completions = completions;
	}

	@PostMapping("/webhooks/runpod/{id}")
	Mono<Received> completed(@PathVariable UUID id, @RequestParam(required = false) @Nullable String token,
			@RequestBody JsonNode body) {
		authenticate(id, token);
		RunpodStatus status = RunpodStatus.read(body);
		log.info("RunPod reports job {} {}", id, status.status());
		return completions.apply(id, status).map(job -> new Received(job.status().code()))
			.switchIfEmpty(Mono.error(() -> new ErrorResponseException(HttpStatus.NOT_FOUND,
					Problems.of(HttpStatus.NOT_FOUND, "not_found", "There is no job " + id + "."), null)));
	}

	@PostMapping("/webhooks/runpod/{id}/progress")
	Mono<Received> progress(@PathVariable UUID id, @RequestParam(required = false) @Nullable String token,
			@RequestBody Progress progress) {
		authenticate(id, token);
		if (progress.progress() < 0 || progress.progress() > 100) {
			throw new dev.kiln.platform.web.InvalidField("progress", "must be from 0 to 100");
		}
		return completions.progress(id, progress.progress()).map(job -> new Received(job.status().code()))
			.defaultIfEmpty(new Received("unchanged"));
	}

	private void authenticate(UUID id, @Nullable String token) {
		if (!callbacks.verify(id, token)) {
			throw new ErrorResponseException(HttpStatus.UNAUTHORIZED,
					Problems.of(HttpStatus.UNAUTHORIZED, "invalid_token", "This callback's token is not valid for this job."),
					null);
		}
	}

	record Progress(int progress) {
	}

	record Received(String status) {
	}
}
