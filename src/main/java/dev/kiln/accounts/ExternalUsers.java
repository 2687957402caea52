package dev.kiln.accounts;

import java.util.UUID;

import dev.kiln.accounts.crypto.PersonalDataCipher;
import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Users who sign in with an external OIDC issuer, one per (issuer, subject), created with their credit
 * account on first use. The issuer's email is kept (sealed) for display but never links accounts: an
 * issuer's email claim is not proof of owning a Kiln account with that email.
 */
@Component
class ExternalUsers {

	private static final Logger log = LoggerFactory.getLogger(ExternalUsers.class);

	private final DatabaseClient db;

	private final Users users;

	private final PersonalDataCipher cipher;

	private final CreditLedger ledger;

	private final TransactionalOperator transactions;

	ExternalUsers(DatabaseClient db, Users users, PersonalDataCipher cipher, CreditLedger ledger,
			TransactionalOperator transactions) {
		this.db = db;
		this.users = users;
		this.cipher = cipher;
		this.ledger = ledger;
		this.transactions = transactions;
	}

	/** The user for this identity; two first requests at once create one user (the loser re-reads). */
	Mono<UserRecord> resolve(String issuer, String subject, @Nullable String email, @Nullable String name) {
		return find(issuer, subject)
			.switchIfEmpty(Mono.defer(() -> create(issuer, subject, email, name)))
			.retryWhen(Retry.max(1).filter(DuplicateKeyException.class::isInstance));
	}

	private Mono<UserRecord> find(String issuer, String subject) {
		return db.sql("select user_id from external_identities where issuer = :issuer and subject = :subject")
			.bind("issuer", issuer)
			.bind("subject", subject)
			.map(row -> row.get("user_id", UUID.class))
			.one()
			.flatMap(users::findById);
	}

	private Mono<UserRecord> create(String issuer, String subject, @Nullable String email, @Nullable String name) {
		UUID id = Secrets.uuid();
		return users.createExternal(id, email == null ? null : cipher.encrypt(email, id),
				name == null ? null : cipher.encrypt(name, id))
			.then(db.sql("insert into external_identities (issuer, subject, user_id) values (:issuer, :subject, :user)")
				.bind("issuer", issuer)
				.bind("subject", subject)
				.bind("user", id)
				.then())
			.then(ledger.open(new AccountId(id)))
			.as(transactions::transactional)
			.then(users.findById(id))
			.doOnNext(user -> log.info("created user {} for an identity of issuer {}", id, issuer));
	}
}
