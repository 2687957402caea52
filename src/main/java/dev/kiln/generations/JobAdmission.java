package dev.kiln.generations;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.SpendingRefused;
import dev.kiln.messaging.Outbox;
import dev.kiln.messaging.Topics;
import dev.kiln.platform.Ids;
import dev.kiln.platform.web.Problems;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;

/**
 * Admits a job in one statement ({@link Jobs#admit}): hold its (maximum) price, insert the job and its
 * first event, and, for a video, the outbox row that asks for dispatch, all or nothing. The
 * Idempotency-Key decides retries: the same key and body give the same job, another body under the key
 * is 422, and a request whose twin is still being admitted is 409 (a transaction-scoped advisory lock on
 * the key).
 */
@Service
class JobAdmission {

	/** Holds outlive their job's deadline, so a job finishing just in time can still be posted. */
	private static final Duration HOLD_MARGIN = Duration.ofHours(1);

	private final Jobs jobs;

	private final CreditLedger ledger;

	private final Outbox outbox;

	private final DailyLimit dailyLimit;

	private final GenerationSettings settings;

	private final JsonMapper json;

	private final Clock clock;

	JobAdmission(Jobs jobs, CreditLedger ledger, Outbox outbox, DailyLimit dailyLimit, GenerationSettings settings,
			JsonMapper json, Clock clock) {
		this.jobs = jobs;
		this.ledger = ledger;
		this.outbox = outbox;
		this.dailyLimit = dailyLimit;
		this.settings = settings;
		this.json = json;
		this.clock = clock;
	}

	/** The admitted job, or the job first admitted under this key ({@link Admitted#replayed()}). */
	Mono<Admitted> admit(UUID user, String idempotencyKey, VideoOrder order) {
		GenerationSettings.Workflow workflow = settings.video().workflows().stream()
			.filter(candidate -> candidate.name().equals(order.workflow()))
			.findFirst()
			.orElseThrow();
		Plan plan = new Plan("video", order.workflow(), json.writeValueAsString(order), order.price(workflow),
				settings.video().endpointId(), JobStatus.QUEUED, settings.video().deadline(), "video " + order.workflow());
		return admit(user, idempotencyKey, plan, (id, now) -> outbox.prepare(Topics.GENERATION_REQUESTED, id.toString(),
				new GenerationRequested(id, user, plan.kind(), order.workflow(), now)));
	}

	/**
	 * Admits a job Kiln runs itself, at once (text, image): its maximum price held and the job recorded
	 * as running, all or nothing, with the same Idempotency-Key rules as videos.
	 */
	Mono<Admitted> admitRunning(UUID user, String idempotencyKey, String kind, Object order, long maxPrice,
			Duration deadline) {
		Plan plan = new Plan(kind, null, json.writeValueAsString(order), maxPrice, null, JobStatus.RUNNING, deadline, kind);
		return admit(user, idempotencyKey, plan, (id, now) -> null);
	}

	/**
	 * The key is read once, inside {@code admit_job}: the quota is taken first and given back unless a job
	 * was admitted (a replay, a busy key or a refused hold starts no generation, so it costs no quota). At
	 * the day's limit the key is read here, so a replay still gets its job instead of a 429.
	 */
	private Mono<Admitted> admit(UUID user, String idempotencyKey, Plan plan, Message message) {
		String hash = sha256(plan.request());
		return dailyLimit.take(user)
			.flatMap(taken -> admitOnce(user, idempotencyKey, plan, hash, message)
				.flatMap(outcome -> (outcome instanceof Jobs.Admission.Admitted ? Mono.<Void>empty()
						: dailyLimit.giveBack(user, taken))
					.then(Mono.fromCallable(() -> outcome instanceof Jobs.Admission.Existing existing
							? replay(existing.job(), hash)
							: admitted(outcome)))))
			.onErrorResume(DailyLimit.Exceeded.class, exceeded -> jobs.findByKey(user, idempotencyKey)
				.map(existing -> replay(existing, hash))
				.switchIfEmpty(Mono.error(exceeded)));
	}

	private Mono<Jobs.Admission> admitOnce(UUID user, String key, Plan plan, String hash, Message message) {
		UUID id = Ids.uuid();
		Instant now = clock.instant();
		Instant deadline = now.plus(plan.deadline());
		return Mono.defer(() -> jobs.admit(new Jobs.NewJob(id, user, plan.kind(), plan.workflow(), plan.request(), hash, key,
				plan.status(), plan.price(), plan.endpoint(), deadline, deadline.plus(HOLD_MARGIN), plan.memo(), now,
				message.of(id, now))))
			.doOnNext(this::countHold)
			.doOnNext(outcome -> {
				if (outcome instanceof Jobs.Admission.Refused refused && !SpendingRefused.applies(refused.reason())) {
					throw new IllegalStateException("hold for job " + id + " refused: " + refused.reason().code());
				}
			});
	}

	/** The new job, or the error that says why there is none; a replay ({@code Existing}) is the caller's. */
	private static Admitted admitted(Jobs.Admission outcome) {
		return switch (outcome) {
			case Jobs.Admission.Admitted admitted -> new Admitted(admitted.job(), false);
			case Jobs.Admission.KeyBusy busy -> throw new ErrorResponseException(HttpStatus.CONFLICT,
					Problems.of(HttpStatus.CONFLICT, "request_in_progress",
							"A request with this Idempotency-Key is still being processed; retry in a moment."),
					null);
			case Jobs.Admission.Refused refused -> throw new SpendingRefused(refused.reason());
			case Jobs.Admission.Existing existing -> throw new IllegalStateException("a replay is not an admission");
		};
	}

	/** A replay or a busy key ran no ledger operation; an admission or a refusal ran a hold. */
	private void countHold(Jobs.Admission outcome) {
		if (outcome instanceof Jobs.Admission.Admitted) {
			ledger.counted("hold", "held", false);
		}
		else if (outcome instanceof Jobs.Admission.Refused refused) {
			ledger.counted("hold", refused.reason().code(), false);
		}
	}

	/** What a new job is: the same for every kind but for these. */
	private record Plan(String kind, @Nullable String workflow, String request, long price, @Nullable String endpoint,
			JobStatus status, Duration deadline, String memo) {
	}

	/** The outbox row the admission writes with the job (the dispatch request, for videos), or none. */
	@FunctionalInterface
	private interface Message {

		Outbox.@Nullable Row of(UUID job, Instant now);
	}

	private static Admitted replay(Job existing, String hash) {
		if (!existing.requestHash().equals(hash)) {
			throw new ErrorResponseException(HttpStatus.UNPROCESSABLE_ENTITY, Problems.of(HttpStatus.UNPROCESSABLE_ENTITY,
					"idempotency_key_reused", "This Idempotency-Key was first used for another request (job "
							+ existing.id() + "); use a new key for a new generation."),
					null);
		}
		return new Admitted(existing, true);
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JVM has SHA-256", ex);
		}
	}

	record Admitted(Job job, boolean replayed) {
	}
}
