package dev.kiln.generations;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.kiln.credits.HoldTrace;
import dev.kiln.credits.LedgerEntry;
import org.jspecify.annotations.Nullable;

/**
 * Generations as the operator sees them: every user's, with what the provider charged
 * ({@code providerCostMicros}, millionths of {@code providerCurrency}) next to the credits held
 * ({@code price}) and posted ({@code cost}). Prompts and answers stay out: they are the user's content.
 */
final class AdminJobViews {

	private AdminJobViews() {
	}

	record AdminJob(UUID id, UUID userId, String kind, @Nullable String workflow, String status, long price,
			@Nullable Long cost, String provider, @Nullable String providerEndpoint, @Nullable String providerJobId,
			@Nullable String servedBy, @Nullable Long providerCostMicros, @Nullable String providerCurrency, int progress,
			@Nullable String failureCode, @Nullable String failureDetail, UUID holdId, Instant createdAt,
			@Nullable Instant dispatchedAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, Instant deadline) {

		static AdminJob of(Job job) {
			return new AdminJob(job.id(), job.userId(), job.kind(), job.workflow(), job.status().code(), job.price(),
					job.cost(), job.provider(), job.providerEndpoint(), job.providerJobId(), job.servedBy(),
					job.providerCost(), job.providerCurrency(), job.progress(), job.failureCode(), job.failureDetail(),
					job.holdId(), job.createdAt(), job.dispatchedAt(), job.startedAt(), job.finishedAt(), job.deadline());
		}
	}

	record AdminPage(List<AdminJob> generations, @Nullable String nextCursor) {
	}

	/** One generation end to end: the job, its timeline, and the hold that paid for it with its entries. */
	record Trace(AdminJob generation, List<Event> events, Hold hold) {
	}

	record Event(int version, String status, int progress, @Nullable String detail, Instant at) {

		static Event of(JobEvent event) {
			return new Event(event.version(), event.status(), event.progress(), event.detail(), event.at());
		}
	}

	record Hold(UUID id, UUID accountId, long amount, @Nullable Long postedAmount, String status, String memo,
			Instant deadline, Instant createdAt, @Nullable Instant resolvedAt, List<Entry> entries) {

		static Hold of(HoldTrace trace) {
			return new Hold(trace.id().value(), trace.accountId(), trace.amount(), trace.postedAmount(), trace.status(),
					trace.memo(), trace.deadline(), trace.createdAt(), trace.resolvedAt(),
					trace.entries().stream().map(Entry::of).toList());
		}
	}

	/** A ledger entry: {@code amount} changed the account's total; the two changes say between what. */
	record Entry(long id, String type, long amount, long availableChange, long heldChange, long availableAfter,
			long heldAfter, @Nullable String memo, Instant createdAt) {

		static Entry of(LedgerEntry entry) {
			return new Entry(entry.id(), entry.type().name().toLowerCase(), entry.amount(), entry.availableChange(),
					entry.heldChange(), entry.balanceAfter().available().units(), entry.balanceAfter().held().units(),
					entry.memo(), entry.createdAt());
		}
	}
}
