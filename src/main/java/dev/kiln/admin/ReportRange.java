package dev.kiln.admin;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;

import dev.kiln.platform.web.InvalidField;
import org.jspecify.annotations.Nullable;

/** Whole UTC days, {@code from} and {@code to} both included; at most {@value #MAX_DAYS} of them. */
record ReportRange(LocalDate from, LocalDate to) {

	static final int MAX_DAYS = 366;

	static final int DEFAULT_DAYS = 30;

	private static final int FIRST_YEAR = 2000;

	private static final int LAST_YEAR = 9999;

	/** Missing ends default to the last {@value #DEFAULT_DAYS} days up to today (UTC). */
	static ReportRange of(@Nullable String from, @Nullable String to, Clock clock) {
		LocalDate end = to == null ? LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) : date("to", to);
		LocalDate start = from == null ? end.minusDays(DEFAULT_DAYS - 1) : date("from", from);
		if (start.isAfter(end)) {
			throw new InvalidField("from", "must not be after 'to' (" + end + ")");
		}
		if (ChronoUnit.DAYS.between(start, end) + 1 > MAX_DAYS) {
			throw new InvalidField("to", "must be at most " + MAX_DAYS + " days from 'from', both included");
		}
		return new ReportRange(start, end);
	}

	Instant start() {
		return from.atStartOfDay(ZoneOffset.UTC).toInstant();
	}

	/** The first instant after the range. */
	Instant end() {
		return to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
	}

	Stream<LocalDate> days() {
		return from.datesUntil(to.plusDays(1));
	}

	/** Years PostgreSQL and the report's arithmetic both handle; ISO's extended years would not. */
	private static LocalDate date(String field, String value) {
		LocalDate date;
		try {
			date = LocalDate.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw new InvalidField(field, "must be a date as yyyy-mm-dd");
		}
		if (date.getYear() < FIRST_YEAR || date.getYear() > LAST_YEAR) {
			throw new InvalidField(field, "must be a date between " + FIRST_YEAR + " and " + LAST_YEAR);
		}
		return date;
	}
}
