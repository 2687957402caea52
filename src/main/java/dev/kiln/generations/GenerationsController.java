package dev.kiln.generations;

import java.time.Clock;
import java.util.UUID;

import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.web.InvalidField;
import dev.kiln.platform.web.Problems;
import dev.kiln.storage.ResultStore;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Starting, reading and cancelling one's own generations. Another user's job is a 404, never a 403. */
@RestController
class GenerationsController {

	private final JobAdmission admission;

	private final Jobs jobs;

	private final Cancellations cancellations;

	private final GenerationSettings settings;

	private final ResultStore store;

	private final JsonMapper json;

	private final Clock clock;

	GenerationsController(JobAdmission admission, Jobs jobs, Cancellations cancellations, GenerationSettings settings,
			ResultStore store, JsonMapper json, Clock clock) {
		this.admission = admission;
		this.jobs = jobs;
		this.cancellations = cancellations;
		this.settings = settings;
		this.store = store;
		this.json = json;
		this.clock = clock;
	}

	/** 202 with the job; the same Idempotency-Key and body give the same job again. */
	@PostMapping("/v1/generations")
	Mono<ResponseEntity<JobView>> create(@AuthenticationPrincipal KilnPrincipal caller,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
			@Valid @RequestBody GenerationRequest request) {
		if (idempotencyKey == null || !idempotencyKey.matches("[\\x21-\\x7E]{8,200}")) {
			throw new InvalidField("Idempotency-Key", "is required: 8 to 200 visible ASCII characters, unique per generation");
		}
		if (!request.kind().equals("video")) {
			throw new ErrorResponseException(HttpStatus.UNPROCESSABLE_ENTITY, Problems.of(HttpStatus.UNPROCESSABLE_ENTITY,
					"not_available", "Only video generations can be started yet."), null);
		}
		VideoOrder order = VideoOrder.of(request, settings.video().workflows());
		return admission.admit(caller.userId(), idempotencyKey, order)
			.map(admitted -> ResponseEntity.accepted()
				.header("Location", "/v1/generations/" + admitted.job().id())
				.header("Idempotent-Replayed", Boolean.toString(admitted.replayed()))
				.body(view(admitted.job())));
	}

	@GetMapping("/v1/generations/{id}")
	Mono<JobView> get(@AuthenticationPrincipal KilnPrincipal caller, @PathVariable UUID id) {
		return jobs.findOwned(id, caller.userId()).switchIfEmpty(Mono.error(() -> notFound(id))).map(this::view);
	}

	/** Cancels a job that has not finished; its hold is voided. Cancelling a canceled job answers it again. */
	@PostMapping("/v1/generations/{id}/cancel")
	Mono<JobView> cancel(@AuthenticationPrincipal KilnPrincipal caller, @PathVariable UUID id) {
		return jobs.findOwned(id, caller.userId())
			.switchIfEmpty(Mono.error(() -> notFound(id)))
			.flatMap(cancellations::cancel)
			.map(this::view);
	}

	private JobView view(Job job) {
		return JobView.of(job, json, store, settings.video().resultUrlsValidFor(), settings.video().resultRetention(),
				clock.instant());
	}

	private static ErrorResponseException notFound(UUID id) {
		return new ErrorResponseException(HttpStatus.NOT_FOUND,
				Problems.of(HttpStatus.NOT_FOUND, "not_found", "You have no generation " + id + "."), null);
	}
}
