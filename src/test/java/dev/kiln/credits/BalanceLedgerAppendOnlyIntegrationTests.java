package dev.kiln.credits;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SettableClock;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The database itself refuses to change history, whoever asks. */
@KilnIntegrationTest
class BalanceLedgerAppendOnlyIntegrationTests {

	@Autowired
	CreditLedger ledger;

	@Autowired
	DatabaseClient db;

	@Autowired
	SettableClock clock;

	@Test
	void ledgerRowsCannotBeUpdatedDeletedOrTruncated() {
		AccountId account = new LedgerFixtures(db, ledger, clock).account(30).block();

		for (String change : new String[] { "update balance_ledger set memo = 'rewritten' where account_id = :id",
				"delete from balance_ledger where account_id = :id" }) {
			StepVerifier.create(db.sql(change).bind("id", account.value()).fetch().rowsUpdated())
				.expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("append-only"))
				.verify();
		}
		StepVerifier.create(db.sql("truncate balance_ledger cascade").then())
			.expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("append-only"))
			.verify();
		assertThat(db.sql("select count(*) as n from balance_ledger where account_id = :id and memo = 'test funds'")
			.bind("id", account.value())
			.map(row -> row.get("n", Long.class))
			.one()
			.block()).isEqualTo(1);
	}
}
