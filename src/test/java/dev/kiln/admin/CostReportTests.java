package dev.kiln.admin;

import java.time.LocalDate;
import java.util.List;

import dev.kiln.generations.DailyGenerationCost;
import dev.kiln.payments.DailyRevenue;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CostReportTests {

	static final LocalDate DAY = LocalDate.parse("2025-06-01");

	static final ReportRange RANGE = new ReportRange(DAY, DAY.plusDays(2));

	@Test
	void theMarginConvertsMinorUnitsToMicrosByTheCurrencysDecimals() {
		CostReport report = CostReport.of(RANGE,
				List.of(new DailyGenerationCost(DAY, "text", "gemini-2.5-flash", "usd", 3, 3, 12, 2_500_000, 0)),
				List.of(new DailyRevenue(DAY.plusDays(1), "USD", 1, 799, 100, 100)));

		assertThat(report.totals()).containsExactly(new CostReport.Total("usd", 799, 100, 2_500_000, 6_990_000 - 2_500_000L));
		assertThat(report.days()).extracting(CostReport.Day::day).containsExactly(DAY, DAY.plusDays(1), DAY.plusDays(2));
		assertThat(report.days().get(2).generations()).isEmpty();
		assertThat(CostReport.of(RANGE, List.of(), List.of(new DailyRevenue(DAY, "jpy", 1, 1200, 0, 100))).totals())
			.containsExactly(new CostReport.Total("jpy", 1200, 0, 0, 1_200_000_000L));
	}

	@Test
	void moneyInMoreThanOneCurrencyHasNoMarginAndUnknownCostsAreCounted() {
		CostReport report = CostReport.of(RANGE,
				List.of(new DailyGenerationCost(DAY, "text", "gemini-2.5-flash", "usd", 1, 1, 2, 40_000, 0),
						new DailyGenerationCost(DAY, "video", "text-to-video", null, 2, 2, 10, 0, 2)),
				List.of(new DailyRevenue(DAY, "eur", 1, 799, 0, 100)));

		assertThat(report.totals()).containsExactly(new CostReport.Total("eur", 799, 0, 0, null),
				new CostReport.Total("usd", 0, 0, 40_000, null));
		assertThat(report.uncostedGenerations()).isEqualTo(2);
	}
}
