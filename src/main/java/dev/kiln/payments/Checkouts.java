package dev.kiln.payments;

import java.util.UUID;

import dev.kiln.platform.Ids;
import dev.kiln.platform.web.InvalidField;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;

import dev.kiln.platform.web.Problems;

/**
 * Starts purchases. The purchase row is written first, then the provider's checkout is made under an
 * idempotency key derived from the row, then linked: a crash between the steps is repaired by the
 * client's retry with the same Idempotency-Key, which finds the row and gets the same checkout. A
 * plan's checkout starts a monthly subscription; its credits come with each paid invoice.
 */
@Service
class Checkouts {

	private final DatabaseClient db;

	private final PaymentGateway gateway;

	private final CatalogSettings catalog;

	Checkouts(DatabaseClient db, PaymentGateway gateway, CatalogSettings catalog) {
		this.db = db;
		this.gateway = gateway;
		this.catalog = catalog;
	}

	Mono<Purchase> start(UUID user, String itemId, String idempotencyKey) {
		CatalogSettings.Item item = item(itemId);
		return notSubscribed(user, item).then(db.sql("""
				insert into payment_transactions (id, user_id, provider, kind, item_id, amount, currency, credits, idempotency_key)
				values (:id, :user, :provider, :kind, :item, :amount, :currency, :credits, :key)
				on conflict (user_id, idempotency_key) do nothing""")
			.bind("id", Ids.uuid())
			.bind("user", user)
			.bind("provider", gateway.provider())
			.bind("kind", item.kind())
			.bind("item", item.id())
			.bind("amount", item.price())
			.bind("currency", item.currency())
			.bind("credits", item.credits())
			.bind("key", idempotencyKey)
			.then())
			.then(find(user, idempotencyKey))
			.flatMap(purchase -> {
				if (!purchase.itemId().equals(item.id())) {
					return Mono.error(new ErrorResponseException(HttpStatus.UNPROCESSABLE_ENTITY,
							Problems.of(HttpStatus.UNPROCESSABLE_ENTITY, "idempotency_key_reused",
									"This Idempotency-Key was first used to buy '" + purchase.itemId()
											+ "'; use a new key for another purchase."),
							null));
				}
				return purchase.checkoutId() != null ? Mono.just(purchase) : link(purchase, item);
			});
	}

	/** A plan cannot be bought twice: a subscriber changes or cancels theirs in the billing portal. */
	private Mono<Void> notSubscribed(UUID user, CatalogSettings.Item item) {
		if (!(item instanceof CatalogSettings.Plan)) {
			return Mono.empty();
		}
		return db.sql("select 1 from subscriptions where user_id = :user and provider = :provider "
				+ "and status in ('active', 'trialing', 'past_due', 'unpaid', 'incomplete') limit 1")
			.bind("user", user)
			.bind("provider", gateway.provider())
			.map(row -> 1)
			.one()
			.flatMap(found -> Mono.error(new ErrorResponseException(HttpStatus.CONFLICT,
					Problems.of(HttpStatus.CONFLICT, "already_subscribed",
							"You already have a monthly plan; change or cancel it in the billing portal (POST /v1/billing-portal)."),
					null)));
	}

	/** A billing portal page for the user's customer (made now if the user has none yet). */
	Mono<String> portal(UUID user) {
		return customer(user).flatMap(gateway::portal);
	}

	private Mono<Purchase> link(Purchase purchase, CatalogSettings.Item item) {
		return customer(purchase.userId())
			.flatMap(customer -> gateway.checkout(purchase.id(), purchase.userId(), customer, item))
			.flatMap(checkout -> db.sql("update payment_transactions set checkout_id = :checkout, checkout_url = :url, updated_at = now() where id = :id returning *")
				.bind("checkout", checkout.id())
				.bind("url", checkout.url())
				.bind("id", purchase.id())
				.map(Purchase::read)
				.one());
	}

	private Mono<String> customer(UUID user) {
		Mono<String> stored = db.sql("select customer_id from payment_customers where user_id = :user and provider = :provider")
			.bind("user", user)
			.bind("provider", gateway.provider())
			.map(row -> row.get("customer_id", String.class))
			.one();
		return stored.switchIfEmpty(Mono.defer(() -> gateway.customer(user)
			.flatMap(customer -> db.sql("insert into payment_customers (user_id, provider, customer_id) values (:user, :provider, :customer) on conflict do nothing")
				.bind("user", user)
				.bind("provider", gateway.provider())
				.bind("customer", customer)
				.then())
			.then(stored)));
	}

	private Mono<Purchase> find(UUID user, String idempotencyKey) {
		return db.sql("select * from payment_transactions where user_id = :user and idempotency_key = :key")
			.bind("user", user)
			.bind("key", idempotencyKey)
			.map(Purchase::read)
			.one();
	}

	private CatalogSettings.Item item(String itemId) {
		return catalog.item(itemId)
			.orElseThrow(() -> new InvalidField("item_id", "is not in the catalog (see GET /v1/packages)"));
	}
}
