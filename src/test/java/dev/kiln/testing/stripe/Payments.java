package dev.kiln.testing.stripe;

import java.util.List;
import java.util.Map;

/**
 * PaymentIntents, their charges, refunds and disputes. A card payment succeeds at once; a bank debit
 * (the asynchronous kind) stays {@code processing} with a {@code pending} charge until it settles.
 */
final class Payments {

	/** The PaymentIntent and the charge of one payment attempt. */
	record Attempt(String paymentIntentId, String chargeId) {
	}

	private final StripeStore store;

	Payments(StripeStore store) {
		this.store = store;
	}

	/** A card payment that succeeds: {@code payment_intent.created}, {@code charge.succeeded}, {@code payment_intent.succeeded}. */
	Attempt succeed(String customer, long amount, String currency, Map<String, String> metadata, String description) {
		Map<String, Object> intent = intent(customer, amount, currency, metadata, description, "card");
		Map<String, Object> charge = charge(intent, "card", "succeeded");
		settled(intent, charge);
		return new Attempt((String) intent.get("id"), (String) charge.get("id"));
	}

	/** A bank debit that waits: {@code payment_intent.created}, {@code payment_intent.processing}, {@code charge.pending}. */
	Attempt startAsync(String customer, long amount, String currency, Map<String, String> metadata) {
		Map<String, Object> intent = intent(customer, amount, currency, metadata, null, "us_bank_account");
		Map<String, Object> charge = charge(intent, "us_bank_account", "pending");
		intent.put("status", "processing");
		intent.put("latest_charge", charge.get("id"));
		store.emit("payment_intent.processing", intent, Origin.AUTOMATIC);
		store.emit("charge.pending", charge, Origin.AUTOMATIC);
		return new Attempt((String) intent.get("id"), (String) charge.get("id"));
	}

	/** Ends a {@link #startAsync} payment: the charge succeeds, or fails as a bank debit does. */
	void settleAsync(String paymentIntentId, boolean succeeded) {
		Map<String, Object> intent = store.require("payment_intent", paymentIntentId);
		if (!"processing".equals(intent.get("status"))) {
			throw new IllegalStateException("PaymentIntent " + paymentIntentId + " is " + intent.get("status")
					+ ", not processing");
		}
		Map<String, Object> charge = store.require("charge", (String) intent.get("latest_charge"));
		if (succeeded) {
			charge.putAll(Json.object("status", "succeeded", "paid", true, "captured", true, "amount_captured",
					charge.get("amount"), "outcome", outcome(true)));
			settled(intent, charge);
		}
		else {
			declined(intent, charge, "insufficient_funds", "The bank account has insufficient funds.");
		}
	}

	/** A card payment that the bank declines: {@code charge.failed}, {@code payment_intent.payment_failed}. */
	Attempt decline(String customer, long amount, String currency, String description) {
		Map<String, Object> intent = intent(customer, amount, currency, Map.of(), description, "card");
		Map<String, Object> charge = charge(intent, "card", "failed");
		declined(intent, charge, "card_declined", "Your card was declined.");
		return new Attempt((String) intent.get("id"), (String) charge.get("id"));
	}

	/** A new, successful charge on a PaymentIntent whose last attempt failed, as a dunning retry makes. */
	Attempt retry(String paymentIntentId) {
		Map<String, Object> intent = store.require("payment_intent", paymentIntentId);
		Map<String, Object> charge = charge(intent, "card", "succeeded");
		settled(intent, charge);
		return new Attempt(paymentIntentId, (String) charge.get("id"));
	}

	Map<String, Object> createRefund(Params params, Origin origin) {
		String chargeId = params.nonEmptyString("charge");
		String intentId = params.nonEmptyString("payment_intent");
		if (chargeId == null && intentId == null) {
			throw StripeApiException.invalid("parameter_missing", "charge",
					"One of the following params should be provided for this request: payment_intent or charge.");
		}
		Map<String, Object> charge;
		if (chargeId != null) {
			charge = store.get("charge", chargeId, "charge");
			if (intentId != null && !intentId.equals(charge.get("payment_intent"))) {
				throw StripeApiException.invalid(null, "payment_intent",
						"The charge " + chargeId + " does not belong to PaymentIntent " + intentId + ".");
			}
		}
		else {
			Map<String, Object> intent = store.get("payment_intent", intentId, "payment_intent");
			if (intent.get("latest_charge") == null || !"succeeded".equals(intent.get("status"))) {
				throw StripeApiException.invalid(null, "payment_intent", "This PaymentIntent (" + intentId
						+ ") does not have a successful charge to refund.");
			}
			charge = store.get("charge", (String) intent.get("latest_charge"), "payment_intent");
		}
		Long amount = params.optionalLong("amount");
		if (amount != null && amount < 1) {
			throw StripeApiException.invalid("parameter_invalid_integer", "amount", "Invalid positive integer");
		}
		String reason = params.oneOf("reason", "duplicate", "fraudulent", "requested_by_customer");
		return refund(charge, amount, reason, params.metadata("metadata"), origin);
	}

	/** Refunds {@code amount}, or all that is left when null: {@code charge.refunded}, {@code refund.created}. */
	Map<String, Object> refund(Map<String, Object> charge, Long amount, String reason, Map<String, String> metadata,
			Origin origin) {
		if (!"succeeded".equals(charge.get("status"))) {
			throw StripeApiException.invalid(null, "charge",
					"This charge (" + charge.get("id") + ") has not succeeded, so it cannot be refunded.");
		}
		long captured = ((Number) charge.get("amount_captured")).longValue();
		long refunded = ((Number) charge.get("amount_refunded")).longValue();
		if (refunded >= captured) {
			throw StripeApiException.invalid("charge_already_refunded", "charge",
					"Charge " + charge.get("id") + " has already been refunded.");
		}
		long refundAmount = amount == null ? captured - refunded : amount;
		String currency = (String) charge.get("currency");
		if (refundAmount > captured - refunded) {
			throw StripeApiException.invalid("amount_too_large", "amount",
					"Refund amount (" + Money.format(refundAmount, currency)
							+ ") is greater than unrefunded amount on charge (" + Money.format(captured - refunded, currency)
							+ ")");
		}
		Map<String, Object> refund = store.put(Json.object("id", Ids.next("re"), "object", "refund", "amount",
				refundAmount, "balance_transaction", Ids.next("txn"), "charge", charge.get("id"), "created",
				store.now(), "currency", currency, "destination_details", null, "metadata", metadata,
				"payment_intent", charge.get("payment_intent"), "reason", reason, "receipt_number", null,
				"source_transfer_reversal", null, "status", "succeeded", "transfer_reversal", null));
		charge.put("amount_refunded", refunded + refundAmount);
		charge.put("refunded", refunded + refundAmount == captured);
		store.emit("charge.refunded", charge, origin);
		store.emit("refund.created", refund, origin);
		return refund;
	}

	/** A cardholder disputes the charge: {@code charge.dispute.created}. */
	Map<String, Object> dispute(String chargeId, String reason) {
		Map<String, Object> charge = store.require("charge", chargeId);
		if (!"succeeded".equals(charge.get("status"))) {
			throw new IllegalStateException("Charge " + chargeId + " did not succeed, so it cannot be disputed");
		}
		if (Boolean.TRUE.equals(charge.get("disputed"))) {
			throw new IllegalStateException("Charge " + chargeId + " is already disputed");
		}
		long now = store.now();
		Map<String, Object> dispute = store.put(Json.object("id", Ids.next("du"), "object", "dispute", "amount",
				charge.get("amount"), "balance_transactions", List.of(), "charge", chargeId, "created", now,
				"currency", charge.get("currency"), "evidence_details",
				Json.object("due_by", now + 7 * 86_400, "has_evidence", false, "past_due", false,
						"submission_count", 0),
				"is_charge_refundable", false, "livemode", false, "metadata", Map.of(), "payment_intent",
				charge.get("payment_intent"), "reason", reason, "status", "needs_response"));
		charge.put("disputed", true);
		store.emit("charge.dispute.created", dispute, Origin.AUTOMATIC);
		return dispute;
	}

	/**
	 * The issuer decides the dispute: {@code won} leaves the money with the merchant, {@code lost} takes
	 * it back for good. Either way {@code charge.dispute.closed}; the charge stays {@code disputed}.
	 */
	Map<String, Object> closeDispute(String disputeId, boolean won) {
		Map<String, Object> dispute = store.require("dispute", disputeId);
		Object previous = dispute.get("status");
		if (!List.of("needs_response", "under_review", "warning_needs_response", "warning_under_review").contains(previous)) {
			throw new IllegalStateException("Dispute " + disputeId + " is already closed (" + previous + ")");
		}
		dispute.put("status", won ? "won" : "lost");
		store.emit("charge.dispute.closed", dispute, Json.object("status", previous), Origin.AUTOMATIC);
		return dispute;
	}

	private Map<String, Object> intent(String customer, long amount, String currency, Map<String, String> metadata,
			String description, String methodType) {
		String id = Ids.next("pi");
		Map<String, Object> intent = store.put(Json.object("id", id, "object", "payment_intent", "amount", amount,
				"amount_capturable", 0, "amount_received", 0, "application", null, "application_fee_amount", null,
				"automatic_payment_methods", null, "canceled_at", null, "cancellation_reason", null,
				"capture_method", "automatic_async", "client_secret", id + "_secret_" + Ids.random(25),
				"confirmation_method", "automatic", "created", store.now(), "currency", currency, "customer",
				customer, "description", description, "last_payment_error", null, "latest_charge", null, "livemode",
				false, "metadata", metadata, "next_action", null, "on_behalf_of", null, "payment_method",
				Ids.next("pm"), "payment_method_types", List.of(methodType), "processing", null, "receipt_email",
				null, "setup_future_usage", null, "shipping", null, "statement_descriptor", null,
				"statement_descriptor_suffix", null, "status", "requires_payment_method", "transfer_data", null,
				"transfer_group", null));
		store.emit("payment_intent.created", intent, Origin.AUTOMATIC);
		return intent;
	}

	private Map<String, Object> charge(Map<String, Object> intent, String methodType, String status) {
		boolean succeeded = "succeeded".equals(status);
		Map<String, Object> details = "card".equals(methodType)
				? Json.object("card", Json.object("brand", "visa", "country", "US", "exp_month", 12, "exp_year",
						2034, "funding", "credit", "last4", "4242", "network", "visa"), "type", "card")
				: Json.object("type", "us_bank_account", "us_bank_account",
						Json.object("account_holder_type", "individual", "account_type", "checking", "bank_name",
								"STRIPE TEST BANK", "last4", "6789", "routing_number", "110000000"));
		String id = Ids.next("ch");
		return store.put(Json.object("id", id, "object", "charge", "amount", intent.get("amount"), "amount_captured",
				succeeded ? intent.get("amount") : 0, "amount_refunded", 0, "application", null, "application_fee",
				null, "application_fee_amount", null, "balance_transaction", succeeded ? Ids.next("txn") : null,
				"billing_details", Json.object("address", null, "email", null, "name", null, "phone", null),
				"calculated_statement_descriptor", "KILN", "captured", succeeded, "created", store.now(), "currency",
				intent.get("currency"), "customer", intent.get("customer"), "description", intent.get("description"),
				"disputed", false, "failure_balance_transaction", null, "failure_code",
				"failed".equals(status) ? "card_declined" : null, "failure_message",
				"failed".equals(status) ? "Your card was declined." : null, "fraud_details", Map.of(), "livemode",
				false, "metadata", Json.deepCopy(intent.get("metadata")), "on_behalf_of", null, "outcome",
				"pending".equals(status) ? null : outcome(succeeded), "paid", succeeded, "payment_intent",
				intent.get("id"), "payment_method", intent.get("payment_method"), "payment_method_details", details,
				"receipt_email", null, "receipt_number", null, "receipt_url", null, "refunded", false, "review", null,
				"shipping", null, "source", null, "source_transfer", null, "statement_descriptor", null,
				"statement_descriptor_suffix", null, "status", status, "transfer_data", null, "transfer_group",
				null));
	}

	private void settled(Map<String, Object> intent, Map<String, Object> charge) {
		intent.putAll(Json.object("status", "succeeded", "amount_received", intent.get("amount"), "latest_charge",
				charge.get("id"), "last_payment_error", null));
		store.emit("charge.succeeded", charge, Origin.AUTOMATIC);
		store.emit("payment_intent.succeeded", intent, Origin.AUTOMATIC);
	}

	private void declined(Map<String, Object> intent, Map<String, Object> charge, String code, String message) {
		charge.putAll(Json.object("status", "failed", "paid", false, "captured", false, "amount_captured", 0,
				"balance_transaction", null, "failure_code", code, "failure_message", message, "outcome",
				outcome(false)));
		intent.putAll(Json.object("status", "requires_payment_method", "latest_charge", charge.get("id"),
				"last_payment_error", Json.object("type", "card_error", "code", code, "decline_code",
						"card_declined".equals(code) ? "generic_decline" : null, "message", message, "charge",
						charge.get("id"))));
		store.emit("charge.failed", charge, Origin.AUTOMATIC);
		store.emit("payment_intent.payment_failed", intent, Origin.AUTOMATIC);
	}

	private static Map<String, Object> outcome(boolean approved) {
		return approved
				? Json.object("network_status", "approved_by_network", "reason", null, "risk_level", "normal",
						"risk_score", 32, "seller_message", "Payment complete.", "type", "authorized")
				: Json.object("network_status", "declined_by_network", "reason", "generic_decline", "risk_level",
						"normal", "risk_score", 32, "seller_message",
						"The bank did not return any further details with this decline.", "type", "issuer_declined");
	}
}
