package dev.kiln.payments;

import java.util.UUID;
import java.util.concurrent.Callable;

import com.stripe.StripeClient;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import org.jspecify.annotations.Nullable;
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
	public Mono<Checkout> checkout(UUID transaction, String customer, CatalogSettings.Pack pack) {
		SessionCreateParams params = SessionCreateParams.builder()
			.setMode(SessionCreateParams.Mode.PAYMENT)
			.setCustomer(customer)
			.setClientReferenceId(transaction.toString())
			.setSuccessUrl(settings.successUrl().toString())
			.setCancelUrl(settings.cancelUrl().toString())
			.putMetadata("kiln_transaction_id", transaction.toString())
			.putMetadata("kiln_item_id", pack.id())
			.addLineItem(SessionCreateParams.LineItem.builder()
				.setQuantity(1L)
				.setPriceData(SessionCreateParams.LineItem.PriceData.builder()
					.setCurrency(pack.currency())
					.setUnitAmount(pack.price())
					.setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder().setName(pack.name()).build())
					.build())
				.build())
			.build();
		RequestOptions options = RequestOptions.builder().setIdempotencyKey("kiln-checkout-" + transaction).build();
		return call(() -> {
			Session session = stripe.v1().checkout().sessions().create(params, options);
			return new Checkout(session.getId(), session.getUrl());
		});
	}

	@Override
	public Mono<CheckoutState> checkoutState(String checkoutId) {
		return call(() -> {
			Session session = stripe.v1().checkout().sessions().retrieve(checkoutId);
			return new CheckoutState(session.getId(), session.getStatus(), session.getPaymentStatus());
		});
	}

	@Override
	public PaymentEvent verify(String payload, @Nullable String signature) {
		if (signature == null || signature.isBlank()) {
			throw new InvalidWebhook("The Stripe-Signature header is missing.", null);
		}
		try {
			Event event = Webhook.constructEvent(payload, signature, settings.webhookSecret(),
					settings.webhookTolerance().toSeconds());
			return new PaymentEvent(event.getId(), event.getType(), objectId(event));
		}
		catch (SignatureVerificationException ex) {
			throw new InvalidWebhook("The webhook's signature does not verify, or its timestamp is too old.", ex);
		}
		catch (RuntimeException ex) {
			throw new InvalidWebhook("The webhook's body is not a Stripe event.", ex);
		}
	}

	/** The id of the event's object, read from the raw JSON whatever API version the event has. */
	private static @Nullable String objectId(Event event) {
		String raw = event.getDataObjectDeserializer().getRawJson();
		if (raw == null) {
			return null;
		}
		JsonNode id = JSON.readTree(raw).path("id");
		return id.isString() ? id.asString() : null;
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
