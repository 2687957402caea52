package dev.kiln.payments;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Movement;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Turns what the provider says about a checkout into Kiln's state, once. Each change is one
 * transaction: the event enters the inbox (a second delivery finds it there and changes nothing), the
 * purchase moves by compare-and-set from an unsettled status, and a paid purchase is credited under
 * the key {@code payment:<purchase>} — so even two different events, or the reconciler, credit once.
 */
@Service
class Settlements {

	private static final Logger log = LoggerFactory.getLogger(Settlements.class);

	private final DatabaseClient db;

	private final CreditLedger ledger;

	private final TransactionalOperator transactions;

	Settlements(DatabaseClient db, CreditLedger ledger, TransactionalOperator transactions) {
		this.db = db;
		this.ledger = ledger;
		this.transactions = transactions;
	}

	/** The checkout was paid: mark the purchase paid and credit it. */
	Mono<Void> paid(String provider, String checkoutId, PaymentGateway.@Nullable PaymentEvent event) {
		return once(provider, event, db.sql("update payment_transactions set status = 'paid', updated_at = now() "
				+ "where checkout_id = :checkout and status in ('pending', 'failed', 'expired') returning *")
			.bind("checkout", checkoutId)
			.map(Purchase::read)
			.one()
			.flatMap(purchase -> ledger.credit(new Movement(IdempotencyKey.of("payment:" + purchase.id()),
					new AccountId(purchase.userId()), Credits.of(purchase.credits()), "purchase of " + purchase.itemId(),
					checkoutId)).doOnNext(result -> log.info("purchase {} paid: {} credits", purchase.id(), purchase.credits())))
			.then());
	}

	/** The checkout ended without payment ({@code failed} or {@code expired}); a paid purchase stays paid. */
	Mono<Void> unpaid(String provider, String checkoutId, String status, PaymentGateway.@Nullable PaymentEvent event) {
		return once(provider, event, db.sql("update payment_transactions set status = :status, updated_at = now() "
				+ "where checkout_id = :checkout and status = 'pending'")
			.bind("status", status)
			.bind("checkout", checkoutId)
			.then());
	}

	/** An event Kiln does not act on: recorded, so that its redeliveries are recognised too. */
	Mono<Void> acknowledge(String provider, PaymentGateway.PaymentEvent event) {
		return once(provider, event, Mono.empty());
	}

	private Mono<Void> once(String provider, PaymentGateway.@Nullable PaymentEvent event, Mono<Void> change) {
		Mono<Boolean> first = event == null ? Mono.just(true)
				: db.sql("insert into payment_inbox (provider, event_id, type) values (:provider, :id, :type) on conflict do nothing")
					.bind("provider", provider)
					.bind("id", event.id())
					.bind("type", event.type())
					.fetch()
					.rowsUpdated()
					.map(rows -> rows == 1);
		return first.flatMap(isFirst -> {
			if (!isFirst) {
				log.info("event {} ({}) was already received; nothing to do", event.id(), event.type());
				return Mono.<Void>empty();
			}
			return change;
		}).as(transactions::transactional);
	}
}
