package dev.kiln.testing.stripe;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Set;

/** Amounts in the currency's smallest unit, shown as Stripe shows them on invoices and Checkout. */
final class Money {

	private static final Set<String> ZERO_DECIMAL = Set.of("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
			"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf");

	private Money() {
	}

	static String format(long amount, String currency) {
		String value = ZERO_DECIMAL.contains(currency) ? Long.toString(amount)
				: BigDecimal.valueOf(amount, 2).toPlainString();
		return switch (currency) {
			case "usd" -> "$" + value;
			case "eur" -> "€" + value;
			case "gbp" -> "£" + value;
			default -> value + " " + currency.toUpperCase(Locale.ROOT);
		};
	}
}
