package dev.kiln.payments;

import java.time.LocalDate;

/**
 * Payments received on one UTC day in one currency: {@code amountMinor} paid, of which
 * {@code refundedMinor} has gone back since (minor units), and the credits they bought.
 */
public record DailyRevenue(LocalDate day, String currency, long payments, long amountMinor, long refundedMinor,
		long credits) {
}
