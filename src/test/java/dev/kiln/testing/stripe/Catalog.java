package dev.kiln.testing.stripe;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Customers, products and prices. */
final class Catalog {

	private static final Set<String> INTERVALS = Set.of("day", "week", "month", "year");

	private final StripeStore store;

	Catalog(StripeStore store) {
		this.store = store;
	}

	Map<String, Object> createCustomer(Params params, Origin origin) {
		return createCustomer(params.nonEmptyString("email"), params.string("name"), params.string("description"),
				params.string("phone"), params.metadata("metadata"), origin);
	}

	Map<String, Object> createCustomer(String email, String name, String description, String phone,
			Map<String, String> metadata, Origin origin) {
		Map<String, Object> customer = store.put(Json.object("id", Ids.next("cus", 14), "object", "customer",
				"address", null, "balance", 0, "created", store.now(), "currency", null, "default_source", null,
				"delinquent", false, "description", description, "discount", null, "email", email, "invoice_prefix",
				Ids.random(8).toUpperCase(), "invoice_settings",
				Json.object("custom_fields", null, "default_payment_method", null, "footer", null,
						"rendering_options", null),
				"livemode", false, "metadata", metadata, "name", name, "next_invoice_sequence", 1, "phone", phone,
				"preferred_locales", List.of(), "shipping", null, "tax_exempt", "none", "test_clock", null));
		store.emit("customer.created", customer, origin);
		return customer;
	}

	Map<String, Object> createProduct(Params params, Origin origin) {
		Map<String, Object> product = product(params, true);
		store.emit("product.created", product, origin);
		return product;
	}

	Map<String, Object> createPrice(Params params, Origin origin) {
		Map<String, Object> price = price(params, true, origin);
		store.emit("price.created", price, origin);
		return price;
	}

	/**
	 * The price Checkout makes for {@code line_items[][price_data]}: like any price, but inactive and
	 * announced by no event, as are the product made from {@code product_data}.
	 */
	Map<String, Object> inlinePrice(Params priceData) {
		return price(priceData, false, null);
	}

	private Map<String, Object> price(Params params, boolean active, Origin origin) {
		String currency = currency(params);
		long unitAmount = params.requiredLong("unit_amount");
		if (unitAmount < 0) {
			throw StripeApiException.invalid("parameter_invalid_integer", params.name("unit_amount"),
					"This value must be greater than or equal to 0.");
		}
		Map<String, Object> product = productFor(params, active, origin);
		Map<String, Object> recurring = recurring(params.child("recurring"));
		return store.put(Json.object("id", Ids.next("price"), "object", "price", "active", active, "billing_scheme",
				"per_unit", "created", store.now(), "currency", currency, "custom_unit_amount", null, "livemode", false,
				"lookup_key", params.string("lookup_key"), "metadata", params.metadata("metadata"), "nickname",
				params.string("nickname"), "product", product.get("id"), "recurring", recurring, "tax_behavior",
				"unspecified", "tiers_mode", null, "transform_quantity", null, "type",
				recurring == null ? "one_time" : "recurring", "unit_amount", unitAmount, "unit_amount_decimal",
				Long.toString(unitAmount)));
	}

	private Map<String, Object> productFor(Params params, boolean active, Origin origin) {
		String productId = params.nonEmptyString("product");
		Params productData = params.child("product_data");
		if (productId != null && productData != null) {
			throw StripeApiException.invalid(null, params.name("product"),
					"You may only specify one of these parameters: product, product_data.");
		}
		if (productId != null) {
			return store.get("product", productId, params.name("product"));
		}
		if (productData == null) {
			throw StripeApiException.missingParam(params.name("product_data"));
		}
		Map<String, Object> product = product(productData, active);
		if (origin != null) {
			store.emit("product.created", product, origin);
		}
		return product;
	}

	private Map<String, Object> product(Params params, boolean active) {
		long now = store.now();
		return store.put(Json.object("id", Ids.next("prod", 14), "object", "product", "active", active, "attributes",
				List.of(), "created", now, "default_price", null, "description", params.string("description"),
				"images", List.of(), "livemode", false, "marketing_features", List.of(), "metadata",
				params.metadata("metadata"), "name", params.requiredString("name"), "package_dimensions", null,
				"shippable", null, "statement_descriptor", null, "tax_code", null, "type", "service", "unit_label",
				null, "updated", now, "url", null));
	}

	private static Map<String, Object> recurring(Params recurring) {
		if (recurring == null) {
			return null;
		}
		String interval = recurring.requiredString("interval");
		if (!INTERVALS.contains(interval)) {
			throw StripeApiException.invalid(null, recurring.name("interval"),
					"Invalid interval: must be one of day, week, month, or year");
		}
		Long count = recurring.optionalLong("interval_count");
		if (count != null && count < 1) {
			throw StripeApiException.invalid("parameter_invalid_integer", recurring.name("interval_count"),
					"This value must be greater than or equal to 1.");
		}
		return Json.object("interval", interval, "interval_count", count == null ? 1 : count, "meter", null,
				"trial_period_days", null, "usage_type", "licensed");
	}

	static String currency(Params params) {
		String currency = params.requiredString("currency").toLowerCase();
		if (!currency.matches("[a-z]{3}")) {
			throw StripeApiException.invalid(null, params.name("currency"), "Invalid currency: " + currency);
		}
		return currency;
	}
}
