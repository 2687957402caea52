package dev.kiln.admin;

import java.time.Clock;

import dev.kiln.generations.GenerationCosts;
import dev.kiln.payments.Revenue;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The operator's cost report: what generations cost against what payments brought in (admin role). */
@RestController
class AdminCostsController {

	private final GenerationCosts costs;

	private final Revenue revenue;

	private final Clock clock;

	AdminCostsController(GenerationCosts costs, Revenue revenue, Clock clock) {
		this.costs = costs;
		this.revenue = revenue;
		this.clock = clock;
	}

	/** {@code from} and {@code to} are UTC days (yyyy-mm-dd), both included; by default the last 30 days. */
	@GetMapping("/admin/costs")
	Mono<CostReport> costs(@RequestParam(required = false) @Nullable String from,
			@RequestParam(required = false) @Nullable String to) {
		ReportRange range = ReportRange.of(from, to, clock);
		return costs.daily(range.start(), range.end())
			.collectList()
			.zipWith(revenue.daily(range.start(), range.end()).collectList())
			.map(found -> CostReport.of(range, found.getT1(), found.getT2()));
	}
}
