package dev.kiln.payments;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

import dev.kiln.testing.TestDatabases;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V10 dates the payments that were paid before {@code paid_at} existed: by the credit their payment
 * posted, else (an invoice) by when its row was written, else by its last change; unpaid ones stay
 * undated. Migrates a database to V9, writes such rows, then migrates the rest.
 */
class PaidAtBackfillIntegrationTests {

	private static final String USER = "00000000-0000-0000-0000-00000000a001";

	private TestDatabases.TestDatabase database;

	@BeforeEach
	void createDatabase() {
		database = TestDatabases.create("PaidAtBackfill");
	}

	@AfterEach
	void dropDatabase() {
		database.drop();
	}

	@Test
	void paymentsPaidBeforeV10AreDatedByTheirCreditElseTheirInvoiceElseTheirLastChange() throws Exception {
		migrate("9");
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			sql.execute("insert into users (id) values ('" + USER + "')");
			sql.execute("insert into credit_accounts (id) values ('" + USER + "')");
			// a pack credited when it was paid (now: the ledger is append-only), refunded later (updated_at moved with it)
			payment(sql, "00000000-0000-0000-0000-0000000000b1", "pack", "refunded", "2026-10-01 09:00+00", "2026-10-20 09:00+00");
			sql.execute("select ledger_credit('payment:00000000-0000-0000-0000-0000000000b1', '" + USER
					+ "', 100, 'purchase', 'cs_b1')");
			// an invoice row is written when its invoice is paid; its credit has another key
			payment(sql, "00000000-0000-0000-0000-0000000000b2", "invoice", "paid", "2026-10-05 10:00+00", "2026-10-25 10:00+00");
			// a plan's checkout: no credit of its own, not an invoice
			payment(sql, "00000000-0000-0000-0000-0000000000b3", "plan", "subscribed", "2026-10-06 11:00+00", "2026-10-07 11:00+00");
			// never paid
			payment(sql, "00000000-0000-0000-0000-0000000000b4", "pack", "expired", "2026-10-08 12:00+00", "2026-10-09 12:00+00");
		}
		migrate(null);

		Map<String, OffsetDateTime> paidAt = new HashMap<>();
		OffsetDateTime credited;
		try (Connection connection = connect(); Statement sql = connection.createStatement()) {
			try (ResultSet rows = sql.executeQuery("select id, paid_at from payment_transactions")) {
				while (rows.next()) {
					paidAt.put(rows.getString("id").substring(34), rows.getObject("paid_at", OffsetDateTime.class));
				}
			}
			try (ResultSet row = sql.executeQuery("select created_at from balance_ledger "
					+ "where idempotency_key = 'payment:00000000-0000-0000-0000-0000000000b1'")) {
				assertThat(row.next()).isTrue();
				credited = row.getObject("created_at", OffsetDateTime.class);
			}
		}
		assertThat(paidAt.get("b1")).isEqualTo(credited).isNotEqualTo(OffsetDateTime.parse("2026-10-20T09:00Z"));
		assertThat(paidAt.get("b2")).isEqualTo(OffsetDateTime.parse("2026-10-05T10:00Z"));
		assertThat(paidAt.get("b3")).isEqualTo(OffsetDateTime.parse("2026-10-07T11:00Z"));
		assertThat(paidAt).containsEntry("b4", null);
	}

	private static void payment(Statement sql, String id, String kind, String status, String created, String updated)
			throws Exception {
		sql.execute("insert into payment_transactions (id, user_id, provider, kind, item_id, amount, currency, credits, "
				+ "status, checkout_id, idempotency_key, created_at, updated_at) values ('" + id + "', '" + USER + "', 'stripe', '"
				+ kind + "', 'item', 799, 'eur', 100, '" + status + "', 'cs_" + id.substring(34) + "', 'key-" + id + "', '"
				+ created + "', '" + updated + "')");
	}

	private void migrate(String target) {
		var configuration = Flyway.configure()
			.dataSource(database.jdbcUrl(), database.server().user(), database.server().password())
			.locations("classpath:db/migration");
		(target == null ? configuration : configuration.target(target)).load().migrate();
	}

	private Connection connect() throws Exception {
		return DriverManager.getConnection(database.jdbcUrl(), database.server().user(), database.server().password());
	}
}
