package dev.kiln.generations;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kiln.providers.vertex.ImageRequest;
import dev.kiln.providers.vertex.TextChunk;
import dev.kiln.providers.vertex.TextRequest;
import dev.kiln.storage.ResultStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Service;

/**
 * Images and text from Gemini, answered in the request: hold the most the request can cost, call, post
 * what the answer actually cost (the rest of the hold goes back) or void all of it on any failure. The
 * work runs to its end even if the client goes away, so a job never stays holding credits; a client
 * that asked for async gets the job at once and reads it later.
 */
@Service
class PromptGenerations {

	private static final Logger log = LoggerFactory.getLogger(PromptGenerations.class);

	/** A job still running after this (the replica died mid-call) is expired by the reconciler, its hold voided. */
	private static final Duration DEADLINE = Duration.ofMinutes(10);

	private final JobAdmission admission;

	private final JobLifecycle lifecycle;

	private final PromptAnswers answers;

	private final ResultStore store;

	private final JsonMapper json;

	PromptGenerations(JobAdmission admission, JobLifecycle lifecycle, PromptAnswers answers, ResultStore store,
			JsonMapper json) {
		this.admission = admission;
		this.lifecycle = lifecycle;
		this.answers = answers;
		this.store = store;
		this.json = json;
	}

	/** The finished job (or, with {@code async}, the running one); a replayed key gives the first job as it is. */
	Mono<JobAdmission.Admitted> text(UUID user, String key, TextRequest request, boolean async) {
		return Mono.deferContextual(context -> detach(admission.admitRunning(user, key, "text", request,
				answers.maxCredits(request), DEADLINE)
			.flatMap(admitted -> admitted.replayed() ? Mono.just(admitted)
					: run(answers.text(request).flatMap(answer -> lifecycle.answered(admitted.job(),
							answer.credits(), null, answers.answered(answer))), admitted.job(), async)
						.map(job -> new JobAdmission.Admitted(job, false))), context));
	}

	Mono<JobAdmission.Admitted> image(UUID user, String key, ImageRequest request, boolean async) {
		return Mono.deferContextual(context -> detach(admission.admitRunning(user, key, "image", request,
				answers.maxCredits(request), DEADLINE)
			.flatMap(admitted -> {
				Job job = admitted.job();
				if (admitted.replayed()) {
					return Mono.just(admitted);
				}
				Mono<Job> work = answers.image(request)
					.flatMap(answer -> store.put(Results.key(job.userId(), job.id(), "image" + extension(answer.mimeType())),
							answer.bytes(), answer.mimeType())
						.flatMap(stored -> lifecycle.answered(job, answer.credits(),
								json.writeValueAsString(List.of(new Results.Stored("image", stored.key(),
										answer.mimeType(), stored.size()))),
								answers.answered(answer))));
				return run(work, job, async).map(done -> new JobAdmission.Admitted(done, false));
			}), context));
	}

	/**
	 * A text answer as it is written. The admission comes first (so a refusal is a plain 4xx); the parts
	 * are then the job, the deltas, and the finished job, or an error part after which the hold is void:
	 * a stream cut mid-answer never ends as a success. A client gone before its stream started pays
	 * nothing either: the admission, which commits whatever the client does, is followed by a void.
	 */
	Mono<Flux<StreamPart>> streamText(UUID user, String key, TextRequest request) {
		return Mono.deferContextual(context -> {
			Mono<JobAdmission.Admitted> admitting = detach(
					admission.admitRunning(user, key, "text", request, answers.maxCredits(request), DEADLINE), context);
			AtomicBoolean handedOver = new AtomicBoolean();
			return admitting
				.map(admitted -> {
					handedOver.set(true);
					return admitted.replayed() ? Flux.<StreamPart>just(new StreamPart.Finished(admitted.job()))
							: streamed(admitted.job(), request);
				})
				.doOnCancel(() -> {
					if (!handedOver.get()) {
						admitting.filter(admitted -> !admitted.replayed())
							.flatMap(admitted -> lifecycle.fail(admitted.job().id(), Set.of(JobStatus.RUNNING), "client_left",
									"the client closed the stream before the answer started"))
							.subscribe(null, ex -> log.warn("could not end a job whose client left during its admission", ex));
					}
				});
		});
	}

	private Flux<StreamPart> streamed(Job job, TextRequest request) {
		return Flux.defer(() -> {
			StringBuilder text = new StringBuilder();
			return answers.streamText(request)
				.concatMap(chunk -> switch (chunk) {
					case TextChunk.Delta delta -> Mono.<StreamPart>just(new StreamPart.Delta(delta.text()))
						.doOnNext(part -> text.append(delta.text()));
					case TextChunk.Done done -> lifecycle
						.answered(job, done.credits(), null, answers.answered(text.toString(), done))
						.map(StreamPart.Finished::new);
				})
				.onErrorResume(failure -> fail(job, failure).map(StreamPart.Failed::new).flux())
				// the client left mid-answer: it gets nothing, so it pays nothing
				.doOnCancel(() -> lifecycle.fail(job.id(), Set.of(JobStatus.RUNNING), "client_left",
						"the client closed the stream before the answer ended")
					.subscribe(null, ex -> log.warn("could not end job {} after its client left", job.id(), ex)));
		}).startWith(new StreamPart.Started(job));
	}

	/**
	 * The work, failing the job (its hold voided) on any error. Its callers run it detached from the
	 * request already, so a client that leaves does not cancel it and the job always ends posted or
	 * voided; with {@code async} nobody waits for it either: the running job is the answer.
	 */
	private Mono<Job> run(Mono<Job> work, Job job, boolean async) {
		Mono<Job> ending = work.onErrorResume(failure -> fail(job, failure).then(Mono.error(failure)));
		if (!async) {
			return ending.onErrorMap(PromptFailures::problem);
		}
		return Mono.deferContextual(context -> {
			detach(ending, context);
			return Mono.just(job);
		});
	}

	/**
	 * {@code work} started now and run to its end whatever its subscribers do; they share its outcome.
	 * An admission needs it as much as the call after it: it is one statement that commits once sent, so
	 * a client leaving meanwhile must not leave a running job that nothing works on.
	 */
	private static <T> Mono<T> detach(Mono<T> work, ContextView context) {
		Mono<T> running = work.contextWrite(context).cache();
		running.subscribe(null, failure -> log.debug("detached work failed: {}", failure.toString()));
		return running;
	}

	/** Fails the job with the failure's code, voiding its hold, and says how the client should see it. */
	private Mono<PromptFailures.Failure> fail(Job job, Throwable failure) {
		PromptFailures.Failure described = PromptFailures.describe(failure);
		if (described.unexpected()) {
			log.error("job {} failed unexpectedly", job.id(), failure);
		}
		return lifecycle.fail(job.id(), Set.of(JobStatus.RUNNING), described.code(), described.detail())
			.thenReturn(described);
	}

	private static String extension(String mimeType) {
		return switch (mimeType) {
			case "image/jpeg" -> ".jpg";
			case "image/webp" -> ".webp";
			default -> ".png";
		};
	}

	/** What a streamed text generation sends. */
	sealed interface StreamPart {

		record Started(Job job) implements StreamPart {
		}

		record Delta(String text) implements StreamPart {
		}

		record Finished(Job job) implements StreamPart {
		}

		record Failed(PromptFailures.Failure failure) implements StreamPart {
		}
	}
}
