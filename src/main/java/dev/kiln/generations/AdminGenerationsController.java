package dev.kiln.generations;

import java.util.UUID;

import dev.kiln.credits.HoldHistory;
import dev.kiln.credits.HoldId;
import dev.kiln.generations.AdminJobViews.AdminJob;
import dev.kiln.generations.AdminJobViews.AdminPage;
import dev.kiln.generations.AdminJobViews.Event;
import dev.kiln.generations.AdminJobViews.Hold;
import dev.kiln.generations.AdminJobViews.Trace;
import dev.kiln.platform.web.Problems;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The operator's view of every user's generations (admin role, interactive sign-in only). */
@RestController
@RequestMapping("/admin/generations")
class AdminGenerationsController {

	private final Jobs jobs;

	private final JobEvents events;

	private final HoldHistory holds;

	/** One snapshot for a trace's three reads, so the job's state and its hold's entries agree. */
	private final TransactionalOperator snapshot;

	AdminGenerationsController(Jobs jobs, JobEvents events, HoldHistory holds, ReactiveTransactionManager transactions) {
		this.jobs = jobs;
		this.events = events;
		this.holds = holds;
		DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
		definition.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		definition.setReadOnly(true);
		this.snapshot = TransactionalOperator.create(transactions, definition);
	}

	/** Everyone's generations newest first, in pages; {@code user}, {@code status} and {@code kind} filter. */
	@GetMapping
	Mono<AdminPage> list(@RequestParam(required = false) @Nullable UUID user,
			@RequestParam(required = false) @Nullable String status, @RequestParam(required = false) @Nullable String kind,
			@RequestParam(required = false) @Nullable String cursor, @RequestParam(defaultValue = "50") int limit) {
		HistoryQuery query = HistoryQuery.of(status, kind, cursor, limit, 200);
		return jobs.everyonesHistory(user, query)
			.collectList()
			.map(query::page)
			.map(page -> new AdminPage(page.jobs().stream().map(AdminJob::of).toList(), page.nextCursor()));
	}

	/**
	 * One generation traced: the job, every event in order, and the ledger entries of its hold (every job
	 * has one: admission holds before it inserts the job).
	 */
	@GetMapping("/{id}")
	Mono<Trace> trace(@PathVariable UUID id) {
		return jobs.find(id)
			.switchIfEmpty(Mono.error(() -> new ErrorResponseException(HttpStatus.NOT_FOUND,
					Problems.of(HttpStatus.NOT_FOUND, "not_found", "There is no generation " + id + "."), null)))
			.flatMap(job -> events.ofJob(id, 0, Integer.MAX_VALUE)
				.map(Event::of)
				.collectList()
				.zipWith(holds.of(new HoldId(job.holdId())).map(Hold::of))
				.map(found -> new Trace(AdminJob.of(job), found.getT1(), found.getT2())))
			.as(snapshot::transactional);
	}
}
