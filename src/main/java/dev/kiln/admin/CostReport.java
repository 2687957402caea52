package dev.kiln.admin;

import java.time.LocalDate;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.kiln.generations.DailyGenerationCost;
import dev.kiln.payments.DailyRevenue;
import org.jspecify.annotations.Nullable;

/**
 * Costs and revenue over a range of UTC days, in integers only: credits, provider costs in micros
 * (millionths of their currency), payments in minor units of theirs. {@code days} lists every day of the
 * range, idle ones too. {@code uncostedGenerations} posted credits with no provider cost recorded
 * (videos: RunPod bills GPU time, which Kiln does not see per job). Margin: see {@link #totals}.
 */
record CostReport(LocalDate from, LocalDate to, List<Day> days, List<Total> totals, long uncostedGenerations) {

	private static final long MICROS = 1_000_000;

	static CostReport of(ReportRange range, List<DailyGenerationCost> costs, List<DailyRevenue> revenue) {
		Map<LocalDate, List<DailyGenerationCost>> costsByDay = costs.stream()
			.collect(Collectors.groupingBy(DailyGenerationCost::day));
		Map<LocalDate, List<DailyRevenue>> revenueByDay = revenue.stream().collect(Collectors.groupingBy(DailyRevenue::day));
		List<Day> days = range.days()
			.map(day -> new Day(day, costsByDay.getOrDefault(day, List.of()).stream().map(Generations::of).toList(),
					revenueByDay.getOrDefault(day, List.of()).stream().map(Payments::of).toList()))
			.toList();
		return new CostReport(range.from(), range.to(), days, totals(costs, revenue),
				costs.stream().mapToLong(DailyGenerationCost::uncosted).sum());
	}

	/**
	 * Per currency. Margin ({@code revenue - refunded - provider cost}, in micros) is only given when all
	 * the range's money, revenue and provider costs alike, is in this one currency: Kiln keeps no exchange
	 * rates, so across currencies the consumer decides. Costs Kiln does not know (the report's
	 * {@code uncostedGenerations}, e.g. RunPod's GPU time) are not in it either.
	 */
	private static List<Total> totals(List<DailyGenerationCost> costs, List<DailyRevenue> revenue) {
		Set<String> currencies = new TreeSet<>();
		costs.stream().map(DailyGenerationCost::currency).filter(c -> c != null).map(CostReport::normal).forEach(currencies::add);
		revenue.stream().map(DailyRevenue::currency).map(CostReport::normal).forEach(currencies::add);
		Map<String, Total> totals = new TreeMap<>();
		for (String currency : currencies) {
			long amount = revenue.stream().filter(r -> normal(r.currency()).equals(currency)).mapToLong(DailyRevenue::amountMinor).sum();
			long refunded = revenue.stream().filter(r -> normal(r.currency()).equals(currency)).mapToLong(DailyRevenue::refundedMinor).sum();
			long providerCost = costs.stream().filter(c -> c.currency() != null && normal(c.currency()).equals(currency))
				.mapToLong(DailyGenerationCost::providerCostMicros).sum();
			Long margin = currencies.size() == 1 ? margin(currency, amount - refunded, providerCost) : null;
			totals.put(currency, new Total(currency, amount, refunded, providerCost, margin));
		}
		return List.copyOf(totals.values());
	}

	private static @Nullable Long margin(String currency, long netMinor, long providerCostMicros) {
		int digits;
		try {
			digits = Currency.getInstance(currency.toUpperCase(Locale.ROOT)).getDefaultFractionDigits();
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (digits < 0 || digits > 6) {
			return null;
		}
		long scale = 1;
		for (int i = digits; i < 6; i++) {
			scale *= 10;
		}
		return Math.subtractExact(Math.multiplyExact(netMinor, scale), providerCostMicros);
	}

	private static String normal(String currency) {
		return currency.toLowerCase(Locale.ROOT);
	}

	record Day(LocalDate day, List<Generations> generations, List<Payments> revenue) {
	}

	/** Generations of one kind and model finished that day; {@code currency} null where no provider cost is known. */
	record Generations(String kind, String model, @Nullable String currency, long count, long succeeded,
			long creditsPosted, long providerCostMicros, long uncosted) {

		static Generations of(DailyGenerationCost cost) {
			return new Generations(cost.kind(), cost.model(), cost.currency(), cost.generations(), cost.succeeded(),
					cost.creditsPosted(), cost.providerCostMicros(), cost.uncosted());
		}
	}

	/** Payments received that day in one currency (minor units); {@code refundedMinor} went back since. */
	record Payments(String currency, long count, long amountMinor, long refundedMinor, long creditsSold) {

		static Payments of(DailyRevenue revenue) {
			return new Payments(revenue.currency(), revenue.payments(), revenue.amountMinor(), revenue.refundedMinor(),
					revenue.credits());
		}
	}

	/** The range's money in one currency; {@code marginMicros} null unless it is the only currency (see above). */
	record Total(String currency, long revenueMinor, long refundedMinor, long providerCostMicros,
			@Nullable Long marginMicros) {
	}
}
