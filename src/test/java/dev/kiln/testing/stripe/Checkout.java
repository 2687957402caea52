package dev.kiln.testing.stripe;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checkout Sessions and billing portal sessions. */
final class Checkout {

	private static final long MIN_LIFETIME = 30 * 60;

	private static final long MAX_LIFETIME = 24 * 60 * 60;

	private final StripeStore store;

	private final Catalog catalog;

	private final Payments payments;

	private final Billing billing;

	private final String baseUrl;

	// What a session keeps that its object does not show: its line items (an includable field),
	// subscription_data and payment_intent_data.
	private final Map<String, Extras> extras = new HashMap<>();

	private record Extras(List<Map<String, Object>> lineItems, Map<String, String> subscriptionMetadata,
			Map<String, String> paymentIntentMetadata, String paymentIntentDescription) {
	}

	Checkout(StripeStore store, Catalog catalog, Payments payments, Billing billing, String baseUrl) {
		this.store = store;
		this.catalog = catalog;
		this.payments = payments;
		this.billing = billing;
		this.baseUrl = baseUrl;
	}

	Map<String, Object> create(Params params, Origin origin) {
		String mode = params.oneOf("mode", "payment", "setup", "subscription");
		if (mode == null) {
			throw StripeApiException.missingParam("mode");
		}
		if ("setup".equals(mode)) {
			throw StripeApiException.invalid(null, "mode", "The Stripe emulator supports mode=payment and "
					+ "mode=subscription only.");
		}
		List<Map<String, Object>> lineItems = lineItems(params, mode);
		String currency = (String) Json.child(lineItems.getFirst(), "price").get("currency");
		String customer = params.nonEmptyString("customer");
		if (customer != null) {
			store.get("customer", customer, "customer");
		}
		String customerEmail = params.nonEmptyString("customer_email");
		if (customer != null && customerEmail != null) {
			throw StripeApiException.invalid(null, "customer_email",
					"You may only specify one of these parameters: customer, customer_email.");
		}
		String customerCreation = params.oneOf("customer_creation", "always", "if_required");
		if (customerCreation != null && !"payment".equals(mode)) {
			throw StripeApiException.invalid(null, "customer_creation",
					"`customer_creation` can only be used in `payment` mode.");
		}
		if (customerCreation != null && customer != null) {
			throw StripeApiException.invalid(null, "customer_creation",
					"You may only specify one of these parameters: customer, customer_creation.");
		}
		String clientReferenceId = params.nonEmptyString("client_reference_id");
		if (clientReferenceId != null && clientReferenceId.length() > 200) {
			throw StripeApiException.invalid(null, "client_reference_id",
					"client_reference_id must be at most 200 characters.");
		}
		long now = store.now();
		long expiresAt = expiresAt(params, now);
		long total = lineItems.stream().mapToLong(line -> ((Number) line.get("amount_total")).longValue()).sum();
		String id = Ids.checkoutSession();
		Params subscriptionData = params.child("subscription_data");
		Params intentData = params.child("payment_intent_data");
		if (subscriptionData != null && !"subscription".equals(mode)) {
			throw StripeApiException.invalid(null, "subscription_data",
					"You can only specify `subscription_data` in `subscription` mode.");
		}
		if (intentData != null && !"payment".equals(mode)) {
			throw StripeApiException.invalid(null, "payment_intent_data",
					"You can only specify `payment_intent_data` in `payment` mode.");
		}
		extras.put(id, new Extras(lineItems,
				subscriptionData == null ? Map.of() : subscriptionData.metadata("metadata"),
				intentData == null ? Map.of() : intentData.metadata("metadata"),
				intentData == null ? null : intentData.string("description")));
		Map<String, Object> session = store.put(Json.object("id", id, "object", "checkout.session",
				"adaptive_pricing", null, "after_expiration", null, "allow_promotion_codes", null, "amount_subtotal",
				total, "amount_total", total, "automatic_tax",
				Json.object("enabled", false, "liability", null, "provider", null, "status", null),
				"billing_address_collection", null, "cancel_url", url(params, "cancel_url"), "client_reference_id",
				clientReferenceId, "client_secret", null, "collected_information", null, "consent", null,
				"consent_collection", null, "created", now, "currency", currency, "currency_conversion", null,
				"custom_fields", List.of(), "custom_text",
				Json.object("after_submit", null, "shipping_address", null, "submit", null,
						"terms_of_service_acceptance", null),
				"customer", customer, "customer_creation",
				customer != null ? null : customerCreation != null ? customerCreation
						: "payment".equals(mode) ? "if_required" : "always",
				"customer_details", null, "customer_email", customerEmail, "discounts", List.of(), "expires_at",
				expiresAt, "invoice", null, "invoice_creation", null, "livemode", false, "locale", null, "metadata",
				params.metadata("metadata"), "mode", mode, "origin_context", null, "payment_intent", null,
				"payment_link", null, "payment_method_collection", "always", "payment_method_configuration_details",
				null, "payment_method_options", Map.of(), "payment_method_types", List.of("card"), "payment_status",
				"unpaid", "permissions", null, "phone_number_collection", Json.object("enabled", false),
				"recovered_from", null, "saved_payment_method_options", null, "setup_intent", null,
				"shipping_address_collection", null, "shipping_cost", null, "shipping_options", List.of(), "status",
				"open", "submit_type", null, "subscription", null, "success_url", url(params, "success_url"),
				"total_details", Json.object("amount_discount", 0, "amount_shipping", 0, "amount_tax", 0), "ui_mode",
				"hosted_page", "url", baseUrl + "/c/pay/" + id, "wallet_options", null));
		return view(session, params.strings("expand"));
	}

	/** A session as retrieved; {@code line_items} is an includable field, there only when expanded. */
	Map<String, Object> retrieve(String id, List<String> expand) {
		return view(store.get("checkout.session", id, "id"), expand);
	}

	Map<String, Object> list(Params params) {
		String status = params.oneOf("status", "complete", "expired", "open");
		String customer = params.nonEmptyString("customer");
		String intent = params.nonEmptyString("payment_intent");
		String subscription = params.nonEmptyString("subscription");
		Params details = params.child("customer_details");
		String email = details == null ? null : details.requiredString("email");
		var created = StripeStore.created(params);
		Map<String, Object> page = store.page("/v1/checkout/sessions", store.newestFirst("checkout.session")
			.stream()
			.filter(session -> status == null || status.equals(session.get("status")))
			.filter(session -> customer == null || customer.equals(session.get("customer")))
			.filter(session -> intent == null || intent.equals(session.get("payment_intent")))
			.filter(session -> subscription == null || subscription.equals(session.get("subscription")))
			.filter(session -> email == null || session.get("customer_details") instanceof Map<?, ?> found
					&& email.equals(found.get("email")))
			.filter(session -> created.test(StripeStore.created(session)))
			.toList(), params);
		return store.expand(page, params.strings("expand"));
	}

	Map<String, Object> lineItems(String id, Params params) {
		store.get("checkout.session", id, "id");
		Long limit = params.optionalLong("limit");
		List<Map<String, Object>> items = extras.get(id).lineItems();
		Map<String, Object> list = Json.list("/v1/checkout/sessions/" + id + "/line_items",
				items.subList(0, (int) Math.min(items.size(), limit == null ? 10 : limit)));
		list.remove("total_count");
		list.put("has_more", limit != null && items.size() > limit || limit == null && items.size() > 10);
		return list;
	}

	/** {@code POST /v1/checkout/sessions/:id/expire}: only an open session can be expired. */
	Map<String, Object> expire(String id, Origin origin) {
		Map<String, Object> session = store.get("checkout.session", id, "id");
		if (!"open".equals(session.get("status"))) {
			throw StripeApiException.invalid(null, null, "Only Checkout Sessions with a status in [\"open\"] can be "
					+ "expired. This Checkout Session has a status of \"" + session.get("status") + "\".");
		}
		expired(session, origin);
		return session;
	}

	void expireNow(String id) {
		Map<String, Object> session = open(id);
		expired(session, Origin.AUTOMATIC);
	}

	/** Sessions past their {@code expires_at} expire, as Stripe expires them in the background. */
	void expireDue() {
		long now = store.now();
		for (Map<String, Object> session : store.newestFirst("checkout.session").reversed()) {
			if ("open".equals(session.get("status")) && ((Number) session.get("expires_at")).longValue() <= now) {
				expired(session, Origin.AUTOMATIC);
			}
		}
	}

	/**
	 * The customer pays on the hosted page. A card payment completes the session as {@code paid}; a
	 * delayed method ({@code async}) completes it as {@code unpaid} until it settles.
	 */
	CheckoutPayment pay(String id, boolean async) {
		Map<String, Object> session = open(id);
		Extras extra = extras.get(id);
		String mode = (String) session.get("mode");
		if (async && !"payment".equals(mode)) {
			throw new IllegalArgumentException("Delayed payment methods are emulated for mode=payment only");
		}
		String customer = (String) session.get("customer");
		if (customer == null && ("subscription".equals(mode) || "always".equals(session.get("customer_creation")))) {
			customer = (String) catalog.createCustomer(buyerEmail(session), null, null, null, Map.of(),
					Origin.AUTOMATIC).get("id");
			session.put("customer", customer);
		}
		long total = ((Number) session.get("amount_total")).longValue();
		String currency = (String) session.get("currency");
		CheckoutPayment payment;
		if ("subscription".equals(mode)) {
			Billing.Started started = billing.startFromCheckout(customer, extra.lineItems(), currency,
					extra.subscriptionMetadata());
			session.putAll(Json.object("subscription", started.subscriptionId(), "invoice", started.invoiceId(),
					"payment_status", "paid"));
			payment = new CheckoutPayment(id, customer, started.paymentIntentId(), started.chargeId(),
					started.subscriptionId(), started.invoiceId());
		}
		else if (total == 0) {
			session.put("payment_status", "no_payment_required");
			payment = new CheckoutPayment(id, customer, null, null, null, null);
		}
		else {
			Payments.Attempt attempt = async
					? payments.startAsync(customer, total, currency, extra.paymentIntentMetadata())
					: payments.succeed(customer, total, currency, extra.paymentIntentMetadata(),
							extra.paymentIntentDescription());
			session.putAll(Json.object("payment_intent", attempt.paymentIntentId(), "payment_status",
					async ? "unpaid" : "paid"));
			payment = new CheckoutPayment(id, customer, attempt.paymentIntentId(), attempt.chargeId(), null, null);
		}
		if ("payment".equals(mode)) {
			session.put("payment_method_types", List.of(async ? "us_bank_account" : "card"));
		}
		session.putAll(Json.object("status", "complete", "url", null, "customer_details",
				Json.object("address", null, "business_name", null, "email", buyerEmail(session), "individual_name",
						null, "name", null, "phone", null, "tax_exempt", "none", "tax_ids", List.of())));
		store.emit("checkout.session.completed", session, Origin.AUTOMATIC);
		return payment;
	}

	/** A delayed payment settles: {@code checkout.session.async_payment_succeeded} or {@code _failed}. */
	void settle(String id, boolean succeeded) {
		Map<String, Object> session = store.require("checkout.session", id);
		if (!"complete".equals(session.get("status")) || !"unpaid".equals(session.get("payment_status"))
				|| session.get("payment_intent") == null) {
			throw new IllegalStateException("Checkout Session " + id + " has no payment waiting to settle; "
					+ "pay it with payAsync first");
		}
		payments.settleAsync((String) session.get("payment_intent"), succeeded);
		if (succeeded) {
			session.put("payment_status", "paid");
		}
		store.emit(succeeded ? "checkout.session.async_payment_succeeded" : "checkout.session.async_payment_failed",
				session, Origin.AUTOMATIC);
	}

	Map<String, Object> createPortalSession(Params params, Origin origin) {
		String customer = params.requiredString("customer");
		store.get("customer", customer, "customer");
		String id = Ids.next("bps");
		return store.put(Json.object("id", id, "object", "billing_portal.session", "configuration",
				Ids.next("bpc"), "created", store.now(), "customer", customer, "customer_account", null, "flow", null,
				"livemode", false, "locale", params.string("locale"), "on_behalf_of", null, "return_url",
				url(params, "return_url"), "url", baseUrl + "/p/session/" + id));
	}

	List<Map<String, Object>> lineItemsOf(String id) {
		return extras.get(id).lineItems();
	}

	private Map<String, Object> view(Map<String, Object> session, List<String> expand) {
		Map<String, Object> copy = Json.copyOf(session);
		List<String> rest = new ArrayList<>(expand);
		if (rest.remove("line_items")) {
			copy.put("line_items", lineItems((String) session.get("id"), Params.parse("")));
		}
		return store.expand(copy, rest);
	}

	private Map<String, Object> open(String id) {
		Map<String, Object> session = store.require("checkout.session", id);
		if (!"open".equals(session.get("status"))) {
			throw new IllegalStateException("Checkout Session " + id + " is " + session.get("status") + ", not open");
		}
		return session;
	}

	private void expired(Map<String, Object> session, Origin origin) {
		session.putAll(Json.object("status", "expired", "url", null));
		store.emit("checkout.session.expired", session, origin);
	}

	private String buyerEmail(Map<String, Object> session) {
		if (session.get("customer") instanceof String customer) {
			Object email = store.require("customer", customer).get("email");
			if (email != null) {
				return (String) email;
			}
		}
		Object email = session.get("customer_email");
		return email != null ? (String) email : "customer@example.com";
	}

	private List<Map<String, Object>> lineItems(Params params, String mode) {
		List<Params> requested = params.children("line_items");
		if (requested.isEmpty()) {
			throw StripeApiException.missingParam("line_items");
		}
		List<Map<String, Object>> items = new ArrayList<>();
		boolean recurring = false;
		for (Params item : requested) {
			String priceId = item.nonEmptyString("price");
			Params priceData = item.child("price_data");
			if (priceId == null && priceData == null) {
				throw StripeApiException.invalid(null, item.name("price"),
						"You must specify either `price` or `price_data` in `" + item.path() + "`.");
			}
			if (priceId != null && priceData != null) {
				throw StripeApiException.invalid(null, item.name("price_data"),
						"You may only specify one of these parameters: price, price_data.");
			}
			Long quantity = item.optionalLong("quantity");
			if (quantity == null) {
				throw StripeApiException.invalid(null, item.path(),
						"Quantity is required. Add `quantity` to `" + item.path() + "`");
			}
			if (quantity < 1) {
				throw StripeApiException.invalid("parameter_invalid_integer", item.name("quantity"),
						"This value must be greater than or equal to 1.");
			}
			Map<String, Object> price = priceId != null ? store.get("price", priceId, item.name("price"))
					: catalog.inlinePrice(priceData);
			if (price.get("recurring") != null) {
				recurring = true;
				if ("payment".equals(mode)) {
					throw StripeApiException.invalid(null, "line_items",
							"You specified `payment` mode but passed a recurring price. Either switch to "
									+ "`subscription` mode or use only one-time prices.");
				}
			}
			if (!items.isEmpty() && !Json.child(items.getFirst(), "price").get("currency").equals(price.get("currency"))) {
				throw StripeApiException.invalid(null, item.name("price"),
						"All prices on a Checkout Session must use the same currency.");
			}
			long amount = ((Number) price.get("unit_amount")).longValue() * quantity;
			Map<String, Object> product = store.require("product", (String) price.get("product"));
			items.add(Json.object("id", Ids.next("li"), "object", "item", "amount_discount", 0, "amount_subtotal",
					amount, "amount_tax", 0, "amount_total", amount, "currency", price.get("currency"), "description",
					product.get("name"), "price", Json.copyOf(price), "quantity", quantity));
		}
		if ("subscription".equals(mode) && !recurring) {
			throw StripeApiException.invalid(null, "line_items",
					"You must provide at least one recurring price in `subscription` mode when using prices.");
		}
		return items;
	}

	private long expiresAt(Params params, long now) {
		Long expiresAt = params.optionalLong("expires_at");
		if (expiresAt == null) {
			return now + MAX_LIFETIME;
		}
		if (expiresAt < now + MIN_LIFETIME) {
			throw StripeApiException.invalid(null, "expires_at",
					"The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.");
		}
		if (expiresAt > now + MAX_LIFETIME) {
			throw StripeApiException.invalid(null, "expires_at",
					"The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.");
		}
		return expiresAt;
	}

	private static String url(Params params, String key) {
		String url = params.nonEmptyString(key);
		if (url == null) {
			return null;
		}
		try {
			URI uri = new URI(url.replace("{CHECKOUT_SESSION_ID}", "CHECKOUT_SESSION_ID"));
			if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
				throw new URISyntaxException(url, "not an absolute http(s) URL");
			}
		}
		catch (URISyntaxException ex) {
			throw StripeApiException.invalid("url_invalid", key, "Not a valid URL");
		}
		return url;
	}
}
