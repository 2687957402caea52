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
 * client's retry with the same Idempotency-Key, which finds the row and gets the same checkout.
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
		CatalogSettings.Pack pack = pack(itemId);
		return db.sql("""
				insert into payment_transactions (id, user_id, provider, kind, item_id, amount, currency, credits, idempotency_key)
				values (:id, :user, :provider, 'pack', :item, :amount, :currency, :credits, :key)
				on conflict (user_id, idempotency_key) do nothing""")
			.bind("id", Ids.uuid())
			.bind("user", user)
			.bind("provider", gateway.provider())
			.bind("item", pack.id())
			.bind("amount", pack.price())
			.bind("currency", pack.currency())
			.bind("credits", pack.credits())
			.bind("key", idempotencyKey)
			.then()
			.then(find(user, idempotencyKey))
			.flatMap(purchase -> {
				if (!purchase.itemId().equals(pack.id())) {
					return Mono.error(new ErrorResponseException(HttpStatus.UNPROCESSABLE_ENTITY,
							Problems.of(HttpStatus.UNPROCESSABLE_ENTITY, "idempotency_key_reused",
									"This Idempotency-Key was first used to buy '" + purchase.itemId()
											+ "'; use a new key for another purchase."),
							null));
				}
				return purchase.checkoutId() != null ? Mono.just(purchase) : link(purchase, pack);
			});
	}

	private Mono<Purchase> link(Purchase purchase, CatalogSettings.Pack pack) {
		return customer(purchase.userId())
			.flatMap(customer -> gateway.checkout(purchase.id(), customer, pack))
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

	private CatalogSettings.Pack pack(String itemId) {
		if (catalog.plans().stream().anyMatch(plan -> plan.id().equals(itemId))) {
			throw new ErrorResponseException(HttpStatus.UNPROCESSABLE_ENTITY, Problems.of(HttpStatus.UNPROCESSABLE_ENTITY,
					"not_available", "Monthly plans cannot be bought yet; buy a pack."), null);
		}
		return catalog.packs()
			.stream()
			.filter(pack -> pack.id().equals(itemId))
			.findFirst()
			.orElseThrow(() -> new InvalidField("item_id", "is not in the catalog (see GET /v1/packages)"));
	}
}
