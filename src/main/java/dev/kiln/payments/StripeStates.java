package dev.kiln.payments;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.stripe.model.Charge;
import com.stripe.model.Dispute;
import com.stripe.model.Invoice;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.checkout.Session;
import org.jspecify.annotations.Nullable;

/** Reads the stripe-java objects Kiln acts on into the gateway's provider-neutral states. */
final class StripeStates {

	/** Metadata Kiln puts on a subscription it starts. */
	static final String USER = "kiln_user_id";

	static final String PLAN = "kiln_plan_id";

	static final String CREDITS = "kiln_credits_per_period";

	private StripeStates() {
	}

	static PaymentGateway.CheckoutState checkout(Session session) {
		return new PaymentGateway.CheckoutState(session.getId(), session.getMode(), session.getStatus(),
				session.getPaymentStatus(), session.getPaymentIntent(), session.getSubscription());
	}

	static PaymentGateway.InvoiceState invoice(Invoice invoice, @Nullable String paymentIntent) {
		// Since API version 2025-03-31 the subscription is under parent.subscription_details.
		String subscription = invoice.getParent() == null || invoice.getParent().getSubscriptionDetails() == null ? null
				: invoice.getParent().getSubscriptionDetails().getSubscription();
		return new PaymentGateway.InvoiceState(invoice.getId(), invoice.getStatus(), subscription,
				invoice.getAmountPaid() == null ? 0 : invoice.getAmountPaid(), invoice.getCurrency(), paymentIntent,
				invoice.getStatusTransitions() == null || invoice.getStatusTransitions().getPaidAt() == null ? null
						: Instant.ofEpochSecond(invoice.getStatusTransitions().getPaidAt()));
	}

	static PaymentGateway.SubscriptionState subscription(Subscription subscription) {
		Map<String, String> metadata = subscription.getMetadata() == null ? Map.of() : subscription.getMetadata();
		// Since API version 2025-03-31 billing periods are on the subscription's items.
		Long periodEnd = subscription.getItems() == null ? null : subscription.getItems()
			.getData()
			.stream()
			.map(SubscriptionItem::getCurrentPeriodEnd)
			.filter(java.util.Objects::nonNull)
			.max(Long::compare)
			.orElse(null);
		return new PaymentGateway.SubscriptionState(subscription.getId(), subscription.getStatus(),
				uuid(metadata.get(USER)), metadata.get(PLAN), positive(metadata.get(CREDITS)),
				periodEnd == null ? null : Instant.ofEpochSecond(periodEnd),
				Boolean.TRUE.equals(subscription.getCancelAtPeriodEnd()));
	}

	static PaymentGateway.ChargeState charge(Charge charge) {
		long captured = charge.getAmountCaptured() != null ? charge.getAmountCaptured() : charge.getAmount();
		return new PaymentGateway.ChargeState(charge.getId(), charge.getPaymentIntent(), captured,
				charge.getAmountRefunded() == null ? 0 : charge.getAmountRefunded());
	}

	static PaymentGateway.DisputeState dispute(Dispute dispute) {
		return new PaymentGateway.DisputeState(dispute.getId(), dispute.getCharge(), dispute.getPaymentIntent(),
				dispute.getAmount(), dispute.getStatus());
	}

	private static @Nullable UUID uuid(@Nullable String value) {
		try {
			return value == null ? null : UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static @Nullable Long positive(@Nullable String value) {
		try {
			long parsed = value == null ? 0 : Long.parseLong(value);
			return parsed > 0 ? parsed : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}
}
