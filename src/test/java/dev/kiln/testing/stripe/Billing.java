package dev.kiln.testing.stripe;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Subscriptions and their invoices, shaped as the pinned API version has them: billing periods on the
 * subscription items ({@code items.data[].current_period_start|end}), and the invoice's link to its
 * subscription under {@code parent.subscription_details.subscription}. Each invoice goes draft → open →
 * paid (or stays open after a failed attempt), with an event at each step.
 */
final class Billing {

	/** What a subscription's first invoice produced. */
	record Started(String subscriptionId, String invoiceId, String paymentIntentId, String chargeId) {
	}

	private static final long DUNNING_RETRY_SECONDS = 3 * 86_400;

	private final StripeStore store;

	private final Payments payments;

	private final String baseUrl;

	Billing(StripeStore store, Payments payments, String baseUrl) {
		this.store = store;
		this.payments = payments;
		this.baseUrl = baseUrl;
	}

	/** Creates the subscription of a paid Checkout Session and pays its first invoice. */
	Started startFromCheckout(String customerId, List<Map<String, Object>> lineItems, String currency,
			Map<String, String> metadata) {
		long now = store.now();
		String subscriptionId = Ids.next("sub");
		List<Map<String, Object>> items = new ArrayList<>();
		List<Map<String, Object>> invoiceLines = new ArrayList<>();
		for (Map<String, Object> line : lineItems) {
			Map<String, Object> price = Json.child(line, "price");
			long quantity = ((Number) line.get("quantity")).longValue();
			if (price.get("recurring") == null) {
				invoiceLines.add(line(price, quantity, now, now, subscriptionId, null));
				continue;
			}
			long end = periodEnd(now, Json.child(price, "recurring"));
			Map<String, Object> item = Json.object("id", Ids.next("si", 14), "object", "subscription_item",
					"billing_thresholds", null, "created", now, "current_period_end", end, "current_period_start",
					now, "discounts", List.of(), "metadata", Map.of(), "plan", plan(price), "price", Json.copyOf(price),
					"quantity", quantity, "subscription", subscriptionId, "tax_rates", List.of());
			items.add(item);
			invoiceLines.add(line(price, quantity, now, end, subscriptionId, (String) item.get("id")));
		}
		Map<String, Object> subscription = store.put(Json.object("id", subscriptionId, "object", "subscription",
				"application", null, "application_fee_percent", null, "automatic_tax",
				Json.object("disabled_reason", null, "enabled", false, "liability", null), "billing_cycle_anchor",
				now, "billing_cycle_anchor_config", null, "billing_thresholds", null, "cancel_at", null,
				"cancel_at_period_end", false, "canceled_at", null, "cancellation_details",
				Json.object("comment", null, "feedback", null, "reason", null), "collection_method",
				"charge_automatically", "created", now, "currency", currency, "customer", customerId,
				"days_until_due", null, "default_payment_method", Ids.next("pm"), "default_source", null,
				"default_tax_rates", List.of(), "description", null, "discounts", List.of(), "ended_at", null,
				"invoice_settings", Json.object("account_tax_ids", null, "issuer", Json.object("type", "self")),
				"items", Json.list("/v1/subscription_items?subscription=" + subscriptionId, items), "latest_invoice",
				null, "livemode", false, "metadata", metadata, "next_pending_invoice_item_invoice", null,
				"on_behalf_of", null, "pause_collection", null, "payment_settings",
				Json.object("payment_method_options", null, "payment_method_types", null,
						"save_default_payment_method", "off"),
				"pending_invoice_item_interval", null, "pending_setup_intent", null, "pending_update", null,
				"schedule", null, "start_date", now, "status", "active", "test_clock", null, "transfer_data", null,
				"trial_end", null, "trial_settings",
				Json.object("end_behavior", Json.object("missing_payment_method", "create_invoice")), "trial_start",
				null));
		Map<String, Object> invoice = draftInvoice(subscription, "subscription_create", invoiceLines, now, now);
		subscription.put("latest_invoice", invoice.get("id"));
		store.emit("customer.subscription.created", subscription, Origin.AUTOMATIC);
		store.emit("invoice.created", invoice, Origin.AUTOMATIC);
		finalizeInvoice(invoice);
		Payments.Attempt attempt = payments.succeed(customerId, total(invoice), currency, Map.of(),
				"Subscription creation");
		paid(invoice, attempt);
		return new Started(subscriptionId, (String) invoice.get("id"), attempt.paymentIntentId(), attempt.chargeId());
	}

	/**
	 * The next period is paid. A {@code past_due} subscription instead has its open invoice paid by a
	 * retry, and turns {@code active} again. Returns the paid invoice's id.
	 */
	String renew(String subscriptionId) {
		Map<String, Object> subscription = live(subscriptionId);
		if ("past_due".equals(subscription.get("status"))) {
			Map<String, Object> invoice = store.require("invoice", (String) subscription.get("latest_invoice"));
			Map<String, Object> invoicePayment = invoicePayment(invoice);
			String intentId = (String) Json.child(invoicePayment, "payment").get("payment_intent");
			paid(invoice, payments.retry(intentId));
			changeStatus(subscription, "active");
			return (String) invoice.get("id");
		}
		Map<String, Object> invoice = nextPeriod(subscription);
		paid(invoice, payments.succeed((String) subscription.get("customer"), total(invoice),
				(String) invoice.get("currency"), Map.of(), "Subscription update"));
		return (String) invoice.get("id");
	}

	/** The next period's payment is declined: the invoice stays open and the subscription turns {@code past_due}. */
	String failRenewal(String subscriptionId) {
		Map<String, Object> subscription = live(subscriptionId);
		Map<String, Object> invoice = nextPeriod(subscription);
		Payments.Attempt attempt = payments.decline((String) subscription.get("customer"), total(invoice),
				(String) invoice.get("currency"), "Subscription update");
		long now = store.now();
		invoice.putAll(Json.object("attempted", true, "attempt_count",
				((Number) invoice.get("attempt_count")).intValue() + 1, "next_payment_attempt",
				now + DUNNING_RETRY_SECONDS));
		store.put(Json.object("id", Ids.next("inpay"), "object", "invoice_payment", "amount_paid", null,
				"amount_requested", total(invoice), "created", now, "currency", invoice.get("currency"), "invoice",
				invoice.get("id"), "is_default", true, "livemode", false, "payment",
				Json.object("type", "payment_intent", "payment_intent", attempt.paymentIntentId()), "status", "open",
				"status_transitions", Json.object("canceled_at", null, "paid_at", null)));
		store.emit("invoice.payment_failed", invoice, Origin.AUTOMATIC);
		if (!"past_due".equals(subscription.get("status"))) {
			changeStatus(subscription, "past_due");
		}
		return (String) invoice.get("id");
	}

	/** {@code DELETE /v1/subscriptions/:id}: {@code customer.subscription.deleted}. */
	Map<String, Object> cancel(String subscriptionId, Params params, Origin origin) {
		Map<String, Object> subscription = store.get("subscription", subscriptionId, "id");
		if ("canceled".equals(subscription.get("status"))) {
			throw StripeApiException.invalid(null, null,
					"A canceled subscription can only update its cancellation_details and metadata.");
		}
		Params details = params.child("cancellation_details");
		return canceled(subscription, details == null ? null : details.string("comment"),
				details == null ? null : details.string("feedback"), origin);
	}

	void cancel(String subscriptionId) {
		Map<String, Object> subscription = store.require("subscription", subscriptionId);
		if ("canceled".equals(subscription.get("status"))) {
			throw new IllegalStateException("Subscription " + subscriptionId + " is already canceled");
		}
		canceled(subscription, null, null, Origin.AUTOMATIC);
	}

	Map<String, Object> listSubscriptions(Params params) {
		String customer = params.nonEmptyString("customer");
		String status = params.oneOf("status", "active", "all", "canceled", "ended", "incomplete",
				"incomplete_expired", "past_due", "paused", "trialing", "unpaid");
		var created = StripeStore.created(params);
		return store.page("/v1/subscriptions", store.newestFirst("subscription").stream()
			.filter(sub -> customer == null || customer.equals(sub.get("customer")))
			.filter(sub -> status == null ? !"canceled".equals(sub.get("status"))
					: "all".equals(status) || status.equals(sub.get("status"))
							|| "ended".equals(status) && "canceled".equals(sub.get("status")))
			.filter(sub -> created.test(StripeStore.created(sub)))
			.toList(), params);
	}

	Map<String, Object> listInvoices(Params params) {
		String customer = params.nonEmptyString("customer");
		String subscription = params.nonEmptyString("subscription");
		String status = params.oneOf("status", "draft", "open", "paid", "uncollectible", "void");
		var created = StripeStore.created(params);
		return store.page("/v1/invoices", store.newestFirst("invoice").stream()
			.filter(invoice -> customer == null || customer.equals(invoice.get("customer")))
			.filter(invoice -> subscription == null || subscription.equals(subscriptionOf(invoice)))
			.filter(invoice -> status == null || status.equals(invoice.get("status")))
			.filter(invoice -> created.test(StripeStore.created(invoice)))
			.toList(), params);
	}

	Map<String, Object> listInvoicePayments(Params params) {
		String invoice = params.nonEmptyString("invoice");
		String status = params.oneOf("status", "canceled", "open", "paid");
		return store.page("/v1/invoice_payments", store.newestFirst("invoice_payment").stream()
			.filter(payment -> invoice == null || invoice.equals(payment.get("invoice")))
			.filter(payment -> status == null || status.equals(payment.get("status")))
			.toList(), params);
	}

	/** An invoice as retrieved; {@code payments} is an includable field, there only when expanded. */
	Map<String, Object> invoice(String id, List<String> expand) {
		Map<String, Object> invoice = Json.copyOf(store.get("invoice", id, "id"));
		List<String> rest = new ArrayList<>(expand);
		if (rest.remove("payments")) {
			invoice.put("payments", Json.list("/v1/invoices/" + id + "/payments",
					store.newestFirst("invoice_payment").stream().filter(p -> id.equals(p.get("invoice"))).toList()));
		}
		return store.expand(invoice, rest);
	}

	private Map<String, Object> live(String subscriptionId) {
		Map<String, Object> subscription = store.require("subscription", subscriptionId);
		if ("canceled".equals(subscription.get("status"))) {
			throw new IllegalStateException("Subscription " + subscriptionId + " is canceled");
		}
		return subscription;
	}

	// Moves every item to its next period and opens that period's invoice, as a billing cycle does.
	private Map<String, Object> nextPeriod(Map<String, Object> subscription) {
		Map<String, Object> previousItems = Json.copyOf(Json.child(subscription, "items"));
		Object previousInvoice = subscription.get("latest_invoice");
		List<Map<String, Object>> lines = new ArrayList<>();
		long previousStart = Long.MAX_VALUE;
		long start = 0;
		for (Map<String, Object> item : Json.data(Json.child(subscription, "items"))) {
			previousStart = Math.min(previousStart, ((Number) item.get("current_period_start")).longValue());
			long itemStart = ((Number) item.get("current_period_end")).longValue();
			long itemEnd = periodEnd(itemStart, Json.child(Json.child(item, "price"), "recurring"));
			item.put("current_period_start", itemStart);
			item.put("current_period_end", itemEnd);
			start = Math.max(start, itemStart);
			lines.add(line(Json.child(item, "price"), ((Number) item.get("quantity")).longValue(), itemStart, itemEnd,
					(String) subscription.get("id"), (String) item.get("id")));
		}
		Map<String, Object> invoice = draftInvoice(subscription, "subscription_cycle", lines, previousStart, start);
		subscription.put("latest_invoice", invoice.get("id"));
		store.emit("customer.subscription.updated", subscription,
				Json.object("items", previousItems, "latest_invoice", previousInvoice), Origin.AUTOMATIC);
		store.emit("invoice.created", invoice, Origin.AUTOMATIC);
		finalizeInvoice(invoice);
		return invoice;
	}

	private Map<String, Object> canceled(Map<String, Object> subscription, String comment, String feedback,
			Origin origin) {
		long now = store.now();
		subscription.putAll(Json.object("status", "canceled", "canceled_at", now, "ended_at", now,
				"cancellation_details",
				Json.object("comment", comment, "feedback", feedback, "reason", "cancellation_requested")));
		store.emit("customer.subscription.deleted", subscription, origin);
		return subscription;
	}

	private void changeStatus(Map<String, Object> subscription, String status) {
		Object previous = subscription.put("status", status);
		store.emit("customer.subscription.updated", subscription, Json.object("status", previous), Origin.AUTOMATIC);
	}

	// Invoice period_start/period_end cover the usage period before the invoice; for a subscription's
	// first invoice both are its creation time. The service period is on each line.
	private Map<String, Object> draftInvoice(Map<String, Object> subscription, String billingReason,
			List<Map<String, Object>> lines, long periodStart, long periodEnd) {
		long now = store.now();
		String id = Ids.next("in");
		Map<String, Object> customer = store.require("customer", (String) subscription.get("customer"));
		long total = 0;
		for (Map<String, Object> line : lines) {
			line.put("invoice", id);
			total += ((Number) line.get("amount")).longValue();
		}
		return store.put(Json.object("id", id, "object", "invoice", "account_country", "US", "account_name",
				"Kiln (Stripe emulator)", "account_tax_ids", null, "amount_due", total, "amount_overpaid", 0,
				"amount_paid", 0, "amount_remaining", total, "amount_shipping", 0, "application", null,
				"attempt_count", 0, "attempted", false, "auto_advance", true, "automatic_tax",
				Json.object("disabled_reason", null, "enabled", false, "liability", null, "provider", null, "status",
						null),
				"automatically_finalizes_at", null, "billing_reason", billingReason, "collection_method",
				"charge_automatically", "created", now, "currency", subscription.get("currency"), "custom_fields",
				null, "customer", customer.get("id"), "customer_address", null, "customer_email",
				customer.get("email"), "customer_name", customer.get("name"), "customer_phone", null,
				"customer_shipping", null, "customer_tax_exempt", "none", "customer_tax_ids", List.of(),
				"default_payment_method", null, "default_source", null, "default_tax_rates", List.of(), "description",
				null, "discounts", List.of(), "due_date", null, "effective_at", null, "ending_balance", null,
				"footer", null, "from_invoice", null, "hosted_invoice_url", null, "invoice_pdf", null, "issuer",
				Json.object("type", "self"), "last_finalization_error", null, "latest_revision", null, "lines",
				Json.list("/v1/invoices/" + id + "/lines", lines), "livemode", false, "metadata", Map.of(),
				"next_payment_attempt", null, "number", null, "on_behalf_of", null, "parent",
				Json.object("quote_details", null, "subscription_details",
						Json.object("metadata", Json.deepCopy(subscription.get("metadata")), "subscription",
								subscription.get("id")),
						"type", "subscription_details"),
				"payment_settings",
				Json.object("default_mandate", null, "payment_method_options", null, "payment_method_types", null),
				"period_end", periodEnd, "period_start", periodStart, "post_payment_credit_notes_amount", 0,
				"pre_payment_credit_notes_amount", 0, "receipt_number", null, "rendering", null, "shipping_cost",
				null, "shipping_details", null, "starting_balance", 0, "statement_descriptor", null, "status",
				"draft", "status_transitions",
				Json.object("finalized_at", null, "marked_uncollectible_at", null, "paid_at", null, "voided_at",
						null),
				"subtotal", total, "subtotal_excluding_tax", total, "test_clock", null, "threshold_reason", null,
				"total", total, "total_discount_amounts", List.of(), "total_excluding_tax", total,
				"total_pretax_credit_amounts", List.of(), "total_taxes", List.of(), "webhooks_delivered_at", now));
	}

	private void finalizeInvoice(Map<String, Object> invoice) {
		Map<String, Object> customer = store.require("customer", (String) invoice.get("customer"));
		int sequence = ((Number) customer.get("next_invoice_sequence")).intValue();
		customer.put("next_invoice_sequence", sequence + 1);
		long now = store.now();
		invoice.putAll(Json.object("status", "open", "number",
				customer.get("invoice_prefix") + "-" + String.format("%04d", sequence), "effective_at", now,
				"ending_balance", 0, "hosted_invoice_url", baseUrl + "/i/" + invoice.get("id"), "invoice_pdf",
				baseUrl + "/i/" + invoice.get("id") + "/pdf"));
		Json.child(invoice, "status_transitions").put("finalized_at", now);
		store.emit("invoice.finalized", invoice, Origin.AUTOMATIC);
	}

	private void paid(Map<String, Object> invoice, Payments.Attempt attempt) {
		long now = store.now();
		long total = total(invoice);
		invoice.putAll(Json.object("amount_paid", total, "amount_remaining", 0, "attempted", true, "attempt_count",
				((Number) invoice.get("attempt_count")).intValue() + 1, "auto_advance", false,
				"next_payment_attempt", null, "status", "paid"));
		Json.child(invoice, "status_transitions").put("paid_at", now);
		Map<String, Object> invoicePayment = invoicePaymentOrNull(invoice);
		if (invoicePayment == null) {
			store.put(Json.object("id", Ids.next("inpay"), "object", "invoice_payment", "amount_paid", total,
					"amount_requested", total, "created", now, "currency", invoice.get("currency"), "invoice",
					invoice.get("id"), "is_default", true, "livemode", false, "payment",
					Json.object("type", "payment_intent", "payment_intent", attempt.paymentIntentId()), "status",
					"paid", "status_transitions", Json.object("canceled_at", null, "paid_at", now)));
		}
		else {
			invoicePayment.putAll(Json.object("amount_paid", total, "status", "paid"));
			Json.child(invoicePayment, "status_transitions").put("paid_at", now);
		}
		store.emit("invoice.paid", invoice, Origin.AUTOMATIC);
		store.emit("invoice.payment_succeeded", invoice, Origin.AUTOMATIC);
	}

	private Map<String, Object> invoicePayment(Map<String, Object> invoice) {
		Map<String, Object> payment = invoicePaymentOrNull(invoice);
		if (payment == null) {
			throw new IllegalStateException("Invoice " + invoice.get("id") + " has no payment attempt");
		}
		return payment;
	}

	private Map<String, Object> invoicePaymentOrNull(Map<String, Object> invoice) {
		return store.newestFirst("invoice_payment").stream()
			.filter(payment -> invoice.get("id").equals(payment.get("invoice")))
			.findFirst()
			.orElse(null);
	}

	private Map<String, Object> line(Map<String, Object> price, long quantity, long start, long end,
			String subscriptionId, String subscriptionItemId) {
		long amount = ((Number) price.get("unit_amount")).longValue() * quantity;
		Map<String, Object> product = store.require("product", (String) price.get("product"));
		Map<String, Object> recurring = Json.child(price, "recurring");
		String description = quantity + " × " + product.get("name") + " (at "
				+ Money.format(((Number) price.get("unit_amount")).longValue(), (String) price.get("currency"))
				+ (recurring == null ? "" : " / " + recurring.get("interval")) + ")";
		Map<String, Object> parent = subscriptionItemId == null
				? Json.object("invoice_item_details", null, "subscription_item_details", null, "type",
						"invoice_item_details")
				: Json.object("invoice_item_details", null, "subscription_item_details",
						Json.object("invoice_item", null, "proration", false, "proration_details",
								Json.object("credited_items", null), "subscription", subscriptionId,
								"subscription_item", subscriptionItemId),
						"type", "subscription_item_details");
		return Json.object("id", Ids.next("il"), "object", "line_item", "amount", amount, "currency",
				price.get("currency"), "description", description, "discount_amounts", List.of(), "discountable",
				true, "discounts", List.of(), "invoice", null, "livemode", false, "metadata", Map.of(), "parent",
				parent, "period", Json.object("end", end, "start", start), "pretax_credit_amounts", List.of(),
				"pricing",
				Json.object("price_details", Json.object("price", price.get("id"), "product", price.get("product")),
						"type", "price_details", "unit_amount_decimal", price.get("unit_amount_decimal")),
				"quantity", quantity, "subtotal", amount, "taxes", List.of());
	}

	private static Map<String, Object> plan(Map<String, Object> price) {
		Map<String, Object> recurring = Json.child(price, "recurring");
		return Json.object("id", price.get("id"), "object", "plan", "active", price.get("active"), "amount",
				price.get("unit_amount"), "amount_decimal", price.get("unit_amount_decimal"), "billing_scheme",
				"per_unit", "created", price.get("created"), "currency", price.get("currency"), "interval",
				recurring.get("interval"), "interval_count", recurring.get("interval_count"), "livemode", false,
				"metadata", Map.of(), "meter", null, "nickname", null, "product", price.get("product"),
				"tiers_mode", null, "transform_usage", null, "trial_period_days", null, "usage_type", "licensed");
	}

	private static long periodEnd(long start, Map<String, Object> recurring) {
		ZonedDateTime from = Instant.ofEpochSecond(start).atZone(ZoneOffset.UTC);
		long count = ((Number) recurring.get("interval_count")).longValue();
		ZonedDateTime to = switch ((String) recurring.get("interval")) {
			case "day" -> from.plusDays(count);
			case "week" -> from.plusWeeks(count);
			case "year" -> from.plusYears(count);
			default -> from.plusMonths(count);
		};
		return to.toEpochSecond();
	}

	private static long total(Map<String, Object> invoice) {
		return ((Number) invoice.get("total")).longValue();
	}

	private static String subscriptionOf(Map<String, Object> invoice) {
		Map<String, Object> parent = Json.child(invoice, "parent");
		Map<String, Object> details = parent == null ? null : Json.child(parent, "subscription_details");
		return details == null ? null : (String) details.get("subscription");
	}
}
