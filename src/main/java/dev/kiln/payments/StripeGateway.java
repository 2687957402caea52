package dev.kiln.payments;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

import com.stripe.StripeClient;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.EventListParams;
import com.stripe.param.InvoicePaymentListParams;
import com.stripe.param.checkout.SessionCreateParams;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Stripe through stripe-java. The client does blocking HTTP (HttpURLConnection), so every call runs on
 * a bounded-elastic scheduler of its own, never on an event loop; the bound (threads and queue) keeps a
 * slow Stripe from taking every thread. Every call that creates something carries an idempotency key,
 * so Kiln's retries never create a second customer or checkout.
 */
@Component
class StripeGateway implements PaymentGateway, DisposableBean {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final StripeClient stripe;

	private final StripeSettings settings;

	private final Scheduler calls = Schedulers.newBoundedElastic(32, 1_000, "stripe", 60, true);

	StripeGateway(StripeSettings settings) {
		this.settings = settings;
		StripeClient.StripeClientBuilder builder = StripeClient.builder()
			.setApiKey(settings.secretKey())
			.setMaxNetworkRetries(2)
			.setConnectTimeout(5_000)
			.setReadTimeout(20_000);
		if (settings.apiBase() != null) {
			builder.setApiBase(settings.apiBase().toString().replaceAll("/$", ""));
		}
		this.stripe = builder.build();
	}

	@Override
	public String provider() {
		return "stripe";
	}

	@Override
	public Mono<String> customer(UUID user) {
		return call(() -> stripe.v1().customers().create(CustomerCreateParams.builder()
			.putMetadata("kiln_user_id", user.toString())
			.build(), RequestOptions.builder().setIdempotencyKey("kiln-customer-" + user).build()).getId());
	}

	@Override
	public Mono<Checkout> checkout(UUID transaction, UUID user, String customer, CatalogSettings.Item item) {
		SessionCreateParams.LineItem.PriceData.Builder price = SessionCreateParams.LineItem.PriceData.builder()
			.setCurrency(item.currency())
			.setUnitAmount(item.price())
			.setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder().setName(item.name()).build());
		SessionCreateParams.Builder params = SessionCreateParams.builder()
			.setCustomer(customer)
			.setClientReferenceId(transaction.toString())
			.setSuccessUrl(settings.successUrl().toString())
			.setCancelUrl(settings.cancelUrl().toString())
			.putMetadata("kiln_transaction_id", transaction.toString())
			.putMetadata("kiln_item_id", item.id());
		if (item instanceof CatalogSettings.Plan plan) {
			price.setRecurring(SessionCreateParams.LineItem.PriceData.Recurring.builder()
				.setInterval(SessionCreateParams.LineItem.PriceData.Recurring.Interval.MONTH)
				.build());
			// The subscription carries who it is for and what each paid period grants, so that an
			// invoice.paid arriving before (or without) the checkout's own event can still be credited.
			params.setMode(SessionCreateParams.Mode.SUBSCRIPTION)
				.setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
					.putMetadata(StripeStates.USER, user.toString())
					.putMetadata(StripeStates.PLAN, plan.id())
					.putMetadata(StripeStates.CREDITS, Long.toString(plan.creditsPerPeriod()))
					.putMetadata("kiln_transaction_id", transaction.toString())
					.build());
		}
		else {
			params.setMode(SessionCreateParams.Mode.PAYMENT);
		}
		params.addLineItem(SessionCreateParams.LineItem.builder().setQuantity(1L).setPriceData(price.build()).build());
		RequestOptions options = RequestOptions.builder().setIdempotencyKey("kiln-checkout-" + transaction).build();
		return call(() -> {
			Session session = stripe.v1().checkout().sessions().create(params.build(), options);
			return new Checkout(session.getId(), session.getUrl());
		});
	}

	@Override
	public Mono<String> portal(String customer) {
		return call(() -> stripe.v1().billingPortal().sessions().create(
				com.stripe.param.billingportal.SessionCreateParams.builder()
					.setCustomer(customer)
					.setReturnUrl(settings.portalReturnUrl().toString())
					.build()).getUrl());
	}

	@Override
	public Mono<CheckoutState> checkoutState(String checkoutId) {
		return call(() -> StripeStates.checkout(stripe.v1().checkout().sessions().retrieve(checkoutId)));
	}

	@Override
	public Mono<InvoiceState> invoice(String invoiceId) {
		return call(() -> {
			Invoice invoice = stripe.v1().invoices().retrieve(invoiceId);
			// Since API version 2025-03-31 an invoice names its payments only through InvoicePayments.
			String intent = stripe.v1().invoicePayments()
				.list(InvoicePaymentListParams.builder().setInvoice(invoiceId).build())
				.getData()
				.stream()
				.filter(payment -> "paid".equals(payment.getStatus()) && payment.getPayment() != null)
				.map(payment -> payment.getPayment().getPaymentIntent())
				.filter(java.util.Objects::nonNull)
				.findFirst()
				.orElse(null);
			return StripeStates.invoice(invoice, intent);
		});
	}

	@Override
	public Mono<SubscriptionState> subscription(String subscriptionId) {
		return call(() -> StripeStates.subscription(stripe.v1().subscriptions().retrieve(subscriptionId)));
	}

	@Override
	public Mono<ChargeState> charge(String chargeId) {
		return call(() -> StripeStates.charge(stripe.v1().charges().retrieve(chargeId)));
	}

	@Override
	public Mono<DisputeState> dispute(String disputeId) {
		return call(() -> StripeStates.dispute(stripe.v1().disputes().retrieve(disputeId)));
	}

	/**
	 * Listed in full on the Stripe scheduler (paging is blocking HTTP), then emitted: a lazily paged
	 * iterable would fetch its next page on whichever thread asks for more, an event loop included.
	 */
	@Override
	public Flux<PaymentEvent> events(Instant since, Collection<String> types) {
		EventListParams params = EventListParams.builder()
			.setCreated(EventListParams.Created.builder().setGte(since.getEpochSecond()).build())
			.addAllType(List.copyOf(types))
			.setLimit(100L)
			.build();
		return call(() -> {
			List<PaymentEvent> events = new ArrayList<>();
			for (Event event : stripe.v1().events().list(params).autoPagingIterable()) {
				events.add(event(event));
				if (events.size() >= settings.reconcileMaxEvents()) {
					break;
				}
			}
			return events.reversed();
		}).flatMapIterable(events -> events);
	}

	@Override
	public PaymentEvent verify(String payload, @Nullable String signature) {
		if (signature == null || signature.isBlank()) {
			throw new InvalidWebhook("The Stripe-Signature header is missing.", null);
		}
		try {
			Event event = Webhook.constructEvent(payload, signature, settings.webhookSecret(),
					settings.webhookTolerance().toSeconds());
			return event(event);
		}
		catch (SignatureVerificationException ex) {
			throw new InvalidWebhook("The webhook's signature does not verify, or its timestamp is too old.", ex);
		}
		catch (RuntimeException ex) {
			throw new InvalidWebhook("The webhook's body is not a Stripe event.", ex);
		}
	}

	private static PaymentEvent event(Event event) {
		// the event's object as it was when the event was created, read from the raw JSON whatever API version
		String raw = event.getDataObjectDeserializer().getRawJson();
		JsonNode object = raw == null ? null : JSON.readTree(raw);
		return new PaymentEvent(event.getId(), event.getType(), text(object, "id"), Instant.ofEpochSecond(event.getCreated()),
				text(object, "payment_status"));
	}

	private static @Nullable String text(@Nullable JsonNode object, String field) {
		if (object == null) {
			return null;
		}
		JsonNode value = object.path(field);
		return value.isString() ? value.asString() : null;
	}

	/** A blocking stripe-java call, moved off the caller's thread. */
	private <T> Mono<T> call(Callable<T> call) {
		return Mono.fromCallable(call).subscribeOn(calls);
	}

	@Override
	public void destroy() {
		calls.dispose();
	}
}
