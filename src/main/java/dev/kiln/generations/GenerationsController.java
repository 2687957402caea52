package dev.kiln.generations;

import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.web.InvalidField;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Starting, reading and cancelling one's own generations. Another user's job is a 404, never a 403. */
@RestController
class GenerationsController {

	private final JobAdmission admission;

	private final PromptGenerations prompts;

	private final Jobs jobs;

	private final Cancellations cancellations;

	private final GenerationSettings settings;

	private final JobViews views;

	GenerationsController(JobAdmission admission, PromptGenerations prompts, Jobs jobs, Cancellations cancellations, GenerationSettings settings,
			JobViews views) {
		this.admission = admission;
		this.prompts = prompts;
		this.jobs = jobs;
		this.cancellations = cancellations;
		this.settings = settings;
		this.views = views;
	}

	/**
	 * Starts a generation. A video is always a 202 with the job. An image or a text is answered in the
	 * request (200 with the finished job), streamed ({@code "stream": true}, text only) or, with
	 * {@code Prefer: respond-async}, started and answered 202 like a video. The same Idempotency-Key and
	 * body give the same job again.
	 */
	@PostMapping("/v1/generations")
	Mono<ResponseEntity<?>> create(@AuthenticationPrincipal KilnPrincipal caller,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
			@RequestHeader(name = "Prefer", required = false) @Nullable String prefer,
			@Valid @RequestBody GenerationRequest request) {
		if (idempotencyKey == null || !idempotencyKey.matches("[\\x21-\\x7E]{8,200}")) {
			throw new InvalidField("Idempotency-Key", "is required: 8 to 200 visible ASCII characters, unique per generation");
		}
		boolean async = prefer != null && prefer.toLowerCase(Locale.ROOT).contains("respond-async");
		UUID user = caller.userId();
		return switch (request.kind()) {
			case "video" -> {
				if (request.prompt() == null || request.prompt().isBlank()) {
					throw new InvalidField("prompt", "must not be blank: describe the video");
				}
				yield admission.admit(user, idempotencyKey, VideoOrder.of(request, settings.video().workflows()))
					.map(this::answer);
			}
			case "image" -> prompts.image(user, idempotencyKey, PromptOrders.image(request), async).map(this::answer);
			default -> {
				if (request.streamed() && async) {
					throw new InvalidField("stream", "cannot be combined with Prefer: respond-async");
				}
				yield request.streamed()
						? prompts.streamText(user, idempotencyKey, PromptOrders.text(request)).map(this::stream)
						: prompts.text(user, idempotencyKey, PromptOrders.text(request), async).map(this::answer);
			}
		};
	}

	/** 200 with a finished job; 202 with one still open (a video, an async request, a replay of one in flight). */
	private ResponseEntity<?> answer(JobAdmission.Admitted admitted) {
		Job job = admitted.job();
		ResponseEntity.BodyBuilder builder = job.status().isTerminal() ? ResponseEntity.ok()
				: ResponseEntity.accepted().header("Location", "/v1/generations/" + job.id());
		return builder.header("Idempotent-Replayed", Boolean.toString(admitted.replayed())).body(view(job));
	}

	private ResponseEntity<?> stream(Flux<PromptGenerations.StreamPart> parts) {
		return eventStream().body(parts.map(part -> switch (part) {
			case PromptGenerations.StreamPart.Started started -> ServerSentEvent.<Object>builder(view(started.job())).event("job").build();
			case PromptGenerations.StreamPart.Delta delta -> ServerSentEvent.<Object>builder(Map.of("text", delta.text())).event("delta").build();
			case PromptGenerations.StreamPart.Finished finished -> ServerSentEvent.<Object>builder(view(finished.job())).event("done").build();
			case PromptGenerations.StreamPart.Failed failed -> ServerSentEvent.<Object>builder(errorEvent(failed.failure()))
				.event("error").build();
		}));
	}

	private static Map<String, Object> errorEvent(PromptFailures.Failure failure) {
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("code", failure.code());
		event.put("detail", failure.detail());
		event.put("status", failure.status());
		if (failure.retryAfterSeconds() > 0) {
			event.put("retry_after_seconds", failure.retryAfterSeconds());
		}
		return event;
	}

	@GetMapping("/v1/generations/{id}")
	Mono<JobView> get(@AuthenticationPrincipal KilnPrincipal caller, @PathVariable UUID id) {
		return jobs.findOwned(id, caller.userId()).switchIfEmpty(Mono.error(() -> new GenerationNotFound(id))).map(this::view);
	}

	/** Cancels a job that has not finished; its hold is voided. Cancelling a canceled job answers it again. */
	@PostMapping("/v1/generations/{id}/cancel")
	Mono<JobView> cancel(@AuthenticationPrincipal KilnPrincipal caller, @PathVariable UUID id) {
		return jobs.findOwned(id, caller.userId())
			.switchIfEmpty(Mono.error(() -> new GenerationNotFound(id)))
			.flatMap(cancellations::cancel)
			.map(this::view);
	}

	/** The caller's generations, newest first, in pages; {@code status} and {@code kind} filter. */
	@GetMapping("/v1/generations")
	Mono<History> history(@AuthenticationPrincipal KilnPrincipal caller,
			@RequestParam(required = false) @Nullable String status, @RequestParam(required = false) @Nullable String kind,
			@RequestParam(required = false) @Nullable String cursor, @RequestParam(defaultValue = "20") int limit) {
		HistoryQuery query = HistoryQuery.of(status, kind, cursor, limit, 100);
		return jobs.history(caller.userId(), query)
			.collectList()
			.map(query::page)
			.map(page -> new History(page.jobs().stream().map(this::view).toList(), page.nextCursor()));
	}

	/** no-transform and X-Accel-Buffering: proxies (nginx among them) must pass events on at once. */
	private static ResponseEntity.BodyBuilder eventStream() {
		return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).headers(EventStreamHeaders::passOnAtOnce);
	}

	private JobView view(Job job) {
		return views.of(job);
	}

	record History(List<JobView> generations, @Nullable String nextCursor) {
	}
}
