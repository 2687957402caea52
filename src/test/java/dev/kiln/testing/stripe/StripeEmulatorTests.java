package dev.kiln.testing.stripe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Charge;
import com.stripe.model.Customer;
import com.stripe.model.Dispute;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeCollection;
import com.stripe.model.StripeObject;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.EventListParams;
import com.stripe.param.InvoiceRetrieveParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionCreateParams.LineItem;
import com.stripe.param.checkout.SessionCreateParams.LineItem.PriceData;
import com.stripe.param.checkout.SessionListParams;
import dev.kiln.testing.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

class StripeEmulatorTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final StripeEmulator stripe = StripeEmulator.start();

	private final WebhookReceiver receiver = WebhookReceiver.start(stripe.webhookSecret());

	private final StripeClient client = StripeClient.builder()
		.setApiKey(stripe.apiKey())
		.setApiBase(stripe.baseUrl())
		.build();

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	StripeEmulatorTests() {
		stripe.sendWebhooksTo(receiver.uri());
	}

	@AfterEach
	void close() {
		stripe.close();
		receiver.close();
		http.close();
	}

	@Test
	void paymentModeSessionIsCreatedRetrievedPaidAndSignedLikeStripe() throws Exception {
		Customer customer = client.v1().customers().create(CustomerCreateParams.builder()
			.setEmail("ada@example.com")
			.putMetadata("user_id", "42")
			.build());
		assertThat(customer.getId()).startsWith("cus_");
		assertThat(customer.getEmail()).isEqualTo("ada@example.com");
		assertThat(customer.getMetadata()).containsEntry("user_id", "42");

		long before = Instant.now().getEpochSecond();
		Session created = client.v1().checkout().sessions().create(pack(customer.getId(), 799));
		assertThat(created.getId()).startsWith("cs_test_");
		assertThat(created.getObject()).isEqualTo("checkout.session");
		assertThat(created.getMode()).isEqualTo("payment");
		assertThat(created.getStatus()).isEqualTo("open");
		assertThat(created.getPaymentStatus()).isEqualTo("unpaid");
		assertThat(created.getAmountTotal()).isEqualTo(799L);
		assertThat(created.getCurrency()).isEqualTo("usd");
		assertThat(created.getCustomer()).isEqualTo(customer.getId());
		assertThat(created.getClientReferenceId()).isEqualTo("order-1");
		assertThat(created.getMetadata()).containsEntry("user_id", "42").containsEntry("pack", "starter");
		assertThat(created.getUrl()).startsWith(stripe.baseUrl() + "/c/pay/" + created.getId());
		assertThat(created.getPaymentIntent()).isNull();
		assertThat(created.getLivemode()).isFalse();
		assertThat(created.getCreated()).isBetween(before, before + 5);
		assertThat(created.getExpiresAt()).isEqualTo(created.getCreated() + 24 * 3600);

		Session retrieved = client.v1().checkout().sessions().retrieve(created.getId());
		assertThat(retrieved.getId()).isEqualTo(created.getId());
		assertThat(retrieved.getMetadata()).isEqualTo(created.getMetadata());

		CheckoutPayment payment = stripe.pay(created.getId());

		WebhookDelivery delivery = stripe.awaitDelivered("checkout.session.completed", TIMEOUT);
		WebhookReceiver.Received received = receiver.received().stream()
			.filter(r -> r.payload().equals(delivery.payload()))
			.findFirst()
			.orElseThrow();
		assertThat(received.signature()).matches("t=\\d+,v1=[0-9a-f]{64}");
		Event event = Webhook.constructEvent(received.payload(), received.signature(), stripe.webhookSecret());
		assertThat(event.getId()).startsWith("evt_");
		assertThat(event.getType()).isEqualTo("checkout.session.completed");
		assertThat(event.getApiVersion()).isEqualTo(Stripe.API_VERSION);
		assertThat(event.getLivemode()).isFalse();
		assertThat(event.getPendingWebhooks()).isEqualTo(1L);
		assertThat(event.getRequest().getId()).isNull();
		StripeObject object = event.getDataObjectDeserializer().getObject().orElseThrow();
		assertThat(object).isInstanceOf(Session.class);
		Session completed = (Session) object;
		assertThat(completed.getId()).isEqualTo(created.getId());
		assertThat(completed.getStatus()).isEqualTo("complete");
		assertThat(completed.getPaymentStatus()).isEqualTo("paid");
		assertThat(completed.getPaymentIntent()).isEqualTo(payment.paymentIntentId()).startsWith("pi_");
		assertThat(completed.getMetadata()).containsEntry("user_id", "42");
		assertThat(completed.getCustomerDetails().getEmail()).isEqualTo("ada@example.com");
		assertThat(completed.getUrl()).isNull();

		PaymentIntent intent = client.v1().paymentIntents().retrieve(payment.paymentIntentId());
		assertThat(intent.getStatus()).isEqualTo("succeeded");
		assertThat(intent.getAmountReceived()).isEqualTo(799L);
		assertThat(intent.getLatestCharge()).isEqualTo(payment.chargeId()).startsWith("ch_");
		Charge charge = client.v1().charges().retrieve(payment.chargeId());
		assertThat(charge.getAmount()).isEqualTo(799L);
		assertThat(charge.getPaid()).isTrue();
		assertThat(charge.getStatus()).isEqualTo("succeeded");
		assertThat(charge.getPaymentMethodDetails().getCard().getLast4()).isEqualTo("4242");
		assertThat(stripe.eventTypes()).containsSubsequence("customer.created", "payment_intent.created",
				"charge.succeeded", "payment_intent.succeeded", "checkout.session.completed");
	}

	@Test
	void hostedPageShowsTheAmountAndPayingRedirectsToTheSuccessUrl() throws Exception {
		Session session = client.v1().checkout().sessions().create(pack(null, 1299));

		HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(session.getUrl())).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
		assertThat(page.body()).contains("$12.99").contains("Starter pack").contains("<button");

		HttpResponse<String> paid = http.send(HttpRequest.newBuilder(URI.create(session.getUrl()))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(paid.statusCode()).isEqualTo(303);
		assertThat(paid.headers().firstValue("Location"))
			.hasValue("https://kiln.test/credits/success?session_id=" + session.getId());

		Session completed = client.v1().checkout().sessions().retrieve(session.getId());
		assertThat(completed.getStatus()).isEqualTo("complete");
		assertThat(completed.getPaymentStatus()).isEqualTo("paid");
		assertThat(completed.getCustomer()).as("a guest payment creates no customer").isNull();

		HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(session.getUrl()))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(again.statusCode()).isEqualTo(400);
	}

	@Test
	void sessionsAreListedNewestFirstWithFiltersAndPagination() throws Exception {
		String ada = client.v1().customers().create(CustomerCreateParams.builder().setEmail("ada@example.com").build())
			.getId();
		String bob = client.v1().customers().create(CustomerCreateParams.builder().setEmail("bob@example.com").build())
			.getId();
		List<String> adas = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			adas.add(client.v1().checkout().sessions().create(pack(ada, 100 + i)).getId());
		}
		String bobs = client.v1().checkout().sessions().create(pack(bob, 500)).getId();
		stripe.pay(adas.get(1));
		stripe.expire(adas.get(2));

		StripeCollection<Session> all = client.v1().checkout().sessions().list(SessionListParams.builder().build());
		assertThat(all.getData()).extracting(Session::getId)
			.containsExactly(bobs, adas.get(4), adas.get(3), adas.get(2), adas.get(1), adas.get(0));
		assertThat(all.getHasMore()).isFalse();
		assertThat(all.getUrl()).isEqualTo("/v1/checkout/sessions");

		StripeCollection<Session> first = client.v1().checkout().sessions()
			.list(SessionListParams.builder().setCustomer(ada).setLimit(2L).build());
		assertThat(first.getData()).extracting(Session::getId).containsExactly(adas.get(4), adas.get(3));
		assertThat(first.getHasMore()).isTrue();
		StripeCollection<Session> second = client.v1().checkout().sessions()
			.list(SessionListParams.builder().setCustomer(ada).setLimit(2L).setStartingAfter(adas.get(3)).build());
		assertThat(second.getData()).extracting(Session::getId).containsExactly(adas.get(2), adas.get(1));
		assertThat(second.getHasMore()).isTrue();
		StripeCollection<Session> earlier = client.v1().checkout().sessions()
			.list(SessionListParams.builder().setLimit(2L).setEndingBefore(adas.get(1)).build());
		assertThat(earlier.getData()).extracting(Session::getId).containsExactly(adas.get(3), adas.get(2));
		assertThat(earlier.getHasMore()).isTrue();
		List<String> paged = new ArrayList<>();
		first.autoPagingIterable().forEach(session -> paged.add(session.getId()));
		assertThat(paged).containsExactlyElementsOf(adas.reversed());

		assertThat(client.v1().checkout().sessions()
			.list(SessionListParams.builder().setStatus(SessionListParams.Status.COMPLETE).build())
			.getData()).extracting(Session::getId).containsExactly(adas.get(1));
		assertThat(client.v1().checkout().sessions()
			.list(SessionListParams.builder().setStatus(SessionListParams.Status.EXPIRED).build())
			.getData()).extracting(Session::getId).containsExactly(adas.get(2));
		long created = all.getData().getFirst().getCreated();
		assertThat(client.v1().checkout().sessions()
			.list(SessionListParams.builder()
				.setCreated(SessionListParams.Created.builder().setGte(created + 1).build())
				.build())
			.getData()).isEmpty();
		assertThat(client.v1().checkout().sessions()
			.list(SessionListParams.builder()
				.setCreated(SessionListParams.Created.builder().setGte(created - 60).build())
				.build())
			.getData()).hasSize(6);
	}

	@Test
	void subscriptionSessionCreatesAnActiveSubscriptionAndAPaidInvoiceInStripesOrder() throws Exception {
		Session session = client.v1().checkout().sessions().create(monthlyPlan(null, 1900));
		assertThat(session.getMode()).isEqualTo("subscription");
		assertThat(session.getAmountTotal()).isEqualTo(1900L);

		CheckoutPayment payment = stripe.pay(session.getId());

		stripe.awaitDelivered("checkout.session.completed", TIMEOUT);
		assertThat(receiver.eventTypes()).containsSubsequence("customer.created", "customer.subscription.created",
				"invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded",
				"checkout.session.completed");
		Session completed = client.v1().checkout().sessions().retrieve(session.getId());
		assertThat(completed.getSubscription()).isEqualTo(payment.subscriptionId()).startsWith("sub_");
		assertThat(completed.getInvoice()).isEqualTo(payment.invoiceId()).startsWith("in_");
		assertThat(completed.getCustomer()).isEqualTo(payment.customerId()).startsWith("cus_");
		assertThat(completed.getPaymentStatus()).isEqualTo("paid");
		assertThat(completed.getPaymentIntent()).isNull();

		Subscription subscription = client.v1().subscriptions().retrieve(payment.subscriptionId());
		assertThat(subscription.getStatus()).isEqualTo("active");
		assertThat(subscription.getCustomer()).isEqualTo(payment.customerId());
		assertThat(subscription.getMetadata()).containsEntry("user_id", "42");
		assertThat(subscription.getLatestInvoice()).isEqualTo(payment.invoiceId());
		SubscriptionItem item = subscription.getItems().getData().getFirst();
		assertThat(item.getId()).startsWith("si_");
		assertThat(item.getPrice().getUnitAmount()).isEqualTo(1900L);
		assertThat(item.getPrice().getRecurring().getInterval()).isEqualTo("month");
		Instant start = Instant.ofEpochSecond(item.getCurrentPeriodStart());
		assertThat(Instant.ofEpochSecond(item.getCurrentPeriodEnd()))
			.isEqualTo(start.atZone(ZoneOffset.UTC).plusMonths(1).toInstant());

		Invoice invoice = client.v1().invoices().retrieve(payment.invoiceId());
		assertThat(invoice.getStatus()).isEqualTo("paid");
		assertThat(invoice.getAmountPaid()).isEqualTo(1900L);
		assertThat(invoice.getBillingReason()).isEqualTo("subscription_create");
		assertThat(invoice.getParent().getType()).isEqualTo("subscription_details");
		assertThat(invoice.getParent().getSubscriptionDetails().getSubscription()).isEqualTo(payment.subscriptionId());
		assertThat(invoice.getParent().getSubscriptionDetails().getMetadata()).containsEntry("user_id", "42");
		assertThat(invoice.getLines().getData()).singleElement().satisfies(line -> {
			assertThat(line.getAmount()).isEqualTo(1900L);
			assertThat(line.getPeriod().getEnd()).isEqualTo(item.getCurrentPeriodEnd());
			assertThat(line.getParent().getSubscriptionItemDetails().getSubscriptionItem()).isEqualTo(item.getId());
		});
		Invoice withPayments = client.v1().invoices().retrieve(payment.invoiceId(),
				InvoiceRetrieveParams.builder().addExpand("payments").build());
		assertThat(withPayments.getPayments().getData()).singleElement()
			.satisfies(paid -> assertThat(paid.getPayment().getPaymentIntent()).isEqualTo(payment.paymentIntentId()));

		Event created = eventOf("customer.subscription.created");
		assertThat(((Subscription) created.getDataObjectDeserializer().getObject().orElseThrow()).getStatus())
			.isEqualTo("active");
	}

	@Test
	void renewalsPayNewInvoicesAndAFailedRenewalMakesTheSubscriptionPastDue() throws Exception {
		CheckoutPayment payment = stripe.pay(client.v1().checkout().sessions().create(monthlyPlan(null, 1900)).getId());
		long firstEnd = client.v1().subscriptions().retrieve(payment.subscriptionId()).getItems().getData().getFirst()
			.getCurrentPeriodEnd();

		String renewal = stripe.renew(payment.subscriptionId());
		Invoice renewed = client.v1().invoices().retrieve(renewal);
		assertThat(renewed.getStatus()).isEqualTo("paid");
		assertThat(renewed.getBillingReason()).isEqualTo("subscription_cycle");
		assertThat(renewed.getAmountPaid()).isEqualTo(1900L);
		SubscriptionItem item = client.v1().subscriptions().retrieve(payment.subscriptionId()).getItems().getData()
			.getFirst();
		assertThat(item.getCurrentPeriodStart()).isEqualTo(firstEnd);
		assertThat(renewed.getLines().getData().getFirst().getPeriod().getStart()).isEqualTo(firstEnd);
		stripe.awaitDelivery(d -> d.eventType().equals("invoice.paid") && d.payload().contains(renewal), TIMEOUT);

		String failed = stripe.failRenewal(payment.subscriptionId());
		Invoice open = client.v1().invoices().retrieve(failed);
		assertThat(open.getStatus()).isEqualTo("open");
		assertThat(open.getAmountPaid()).isZero();
		assertThat(open.getAttemptCount()).isEqualTo(1L);
		assertThat(open.getNextPaymentAttempt()).isNotNull();
		assertThat(client.v1().subscriptions().retrieve(payment.subscriptionId()).getStatus()).isEqualTo("past_due");
		stripe.awaitDelivered("invoice.payment_failed", TIMEOUT);
		WebhookDelivery pastDue = stripe.awaitDelivery(d -> d.eventType().equals("customer.subscription.updated")
				&& d.payload().contains("\"status\":\"past_due\""), TIMEOUT);
		Event updated = Webhook.constructEvent(pastDue.payload(), pastDue.signatureHeader(), stripe.webhookSecret());
		assertThat(updated.getData().getPreviousAttributes()).containsEntry("status", "active");

		assertThat(stripe.renew(payment.subscriptionId())).as("a retry pays the open invoice").isEqualTo(failed);
		assertThat(client.v1().invoices().retrieve(failed).getStatus()).isEqualTo("paid");
		assertThat(client.v1().subscriptions().retrieve(payment.subscriptionId()).getStatus()).isEqualTo("active");

		stripe.cancelSubscription(payment.subscriptionId());
		stripe.awaitDelivered("customer.subscription.deleted", TIMEOUT);
		Subscription canceled = client.v1().subscriptions().retrieve(payment.subscriptionId());
		assertThat(canceled.getStatus()).isEqualTo("canceled");
		assertThat(canceled.getCanceledAt()).isNotNull();
		assertThatThrownBy(() -> client.v1().subscriptions().cancel(payment.subscriptionId()))
			.isInstanceOf(InvalidRequestException.class);
	}

	@Test
	void subscriptionsCanBeCanceledThroughTheApi() throws Exception {
		CheckoutPayment payment = stripe.pay(client.v1().checkout().sessions().create(monthlyPlan(null, 900)).getId());

		Subscription canceled = client.v1().subscriptions().cancel(payment.subscriptionId());

		assertThat(canceled.getStatus()).isEqualTo("canceled");
		assertThat(canceled.getCancellationDetails().getReason()).isEqualTo("cancellation_requested");
		Event deleted = eventOf("customer.subscription.deleted");
		assertThat(deleted.getRequest().getId()).startsWith("req_");
		assertThat(deleted.getRequest().getIdempotencyKey()).isNull();
	}

	@Test
	void refundsAndDisputesChangeTheChargeAndRaiseTheirEvents() throws Exception {
		CheckoutPayment payment = stripe.pay(client.v1().checkout().sessions().create(pack(null, 1000)).getId());

		var refund = client.v1().refunds()
			.create(RefundCreateParams.builder().setCharge(payment.chargeId()).setAmount(300L).build());
		assertThat(refund.getId()).startsWith("re_");
		assertThat(refund.getAmount()).isEqualTo(300L);
		assertThat(refund.getStatus()).isEqualTo("succeeded");
		Charge partly = client.v1().charges().retrieve(payment.chargeId());
		assertThat(partly.getAmountRefunded()).isEqualTo(300L);
		assertThat(partly.getRefunded()).isFalse();
		WebhookDelivery refunded = stripe.awaitDelivered("charge.refunded", TIMEOUT);
		Charge inEvent = (Charge) Webhook
			.constructEvent(refunded.payload(), refunded.signatureHeader(), stripe.webhookSecret())
			.getDataObjectDeserializer().getObject().orElseThrow();
		assertThat(inEvent.getAmountRefunded()).isEqualTo(300L);

		assertThatThrownBy(() -> client.v1().refunds()
			.create(RefundCreateParams.builder().setPaymentIntent(payment.paymentIntentId()).setAmount(800L).build()))
			.isInstanceOfSatisfying(InvalidRequestException.class,
					ex -> assertThat(ex.getCode()).isEqualTo("amount_too_large"));
		stripe.refund(payment.chargeId(), 700);
		Charge fully = client.v1().charges().retrieve(payment.chargeId());
		assertThat(fully.getAmountRefunded()).isEqualTo(1000L);
		assertThat(fully.getRefunded()).isTrue();
		assertThatThrownBy(() -> client.v1().refunds()
			.create(RefundCreateParams.builder().setCharge(payment.chargeId()).build()))
			.isInstanceOfSatisfying(InvalidRequestException.class,
					ex -> assertThat(ex.getCode()).isEqualTo("charge_already_refunded"));

		CheckoutPayment other = stripe.pay(client.v1().checkout().sessions().create(pack(null, 2500)).getId());
		String disputeId = stripe.dispute(other.chargeId());
		WebhookDelivery disputed = stripe.awaitDelivered("charge.dispute.created", TIMEOUT);
		Dispute dispute = (Dispute) Webhook
			.constructEvent(disputed.payload(), disputed.signatureHeader(), stripe.webhookSecret())
			.getDataObjectDeserializer().getObject().orElseThrow();
		assertThat(dispute.getId()).isEqualTo(disputeId).startsWith("du_");
		assertThat(dispute.getCharge()).isEqualTo(other.chargeId());
		assertThat(dispute.getAmount()).isEqualTo(2500L);
		assertThat(dispute.getStatus()).isEqualTo("needs_response");
		assertThat(client.v1().charges().retrieve(other.chargeId()).getDisputed()).isTrue();

		stripe.closeDispute(disputeId, false);
		WebhookDelivery closed = stripe.awaitDelivered("charge.dispute.closed", TIMEOUT);
		assertThat(closed.payload()).contains(disputeId);
		assertThat(client.v1().disputes().retrieve(disputeId).getStatus()).isEqualTo("lost");
		assertThatThrownBy(() -> stripe.closeDispute(disputeId, true)).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void anIdempotencyKeyReplaysTheFirstResultAndRefusesOtherParameters() throws Exception {
		RequestOptions key = RequestOptions.builder().setIdempotencyKey("buy-pack-7").build();
		Session first = client.v1().checkout().sessions().create(pack(null, 799), key);
		Session replay = client.v1().checkout().sessions().create(pack(null, 799), key);

		assertThat(replay.getId()).isEqualTo(first.getId());
		assertThat(replay.getLastResponse().headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(client.v1().checkout().sessions().list(SessionListParams.builder().build()).getData()).hasSize(1);
		assertThatThrownBy(() -> client.v1().checkout().sessions().create(pack(null, 899), key))
			.isInstanceOfSatisfying(IdempotencyException.class, ex -> {
				assertThat(ex.getStatusCode()).isEqualTo(400);
				assertThat(ex.getStripeError().getType()).isEqualTo("idempotency_error");
			});
	}

	@Test
	void aWrongApiKeyIsRefusedWith401() throws Exception {
		StripeClient stranger = StripeClient.builder()
			.setApiKey("sk_test_emulator_" + "x".repeat(32))
			.setApiBase(stripe.baseUrl())
			.build();

		assertThatThrownBy(() -> stranger.v1().customers().retrieve("cus_whatever"))
			.isInstanceOfSatisfying(AuthenticationException.class, ex -> {
				assertThat(ex.getStatusCode()).isEqualTo(401);
				assertThat(ex.getMessage()).contains("Invalid API Key provided: sk_test_*").doesNotContain("xxxxxxxx");
			});
		HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(stripe.baseUrl() + "/v1/events"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.body()).contains("\"type\":\"invalid_request_error\"").contains("You did not provide an API key");
	}

	@Test
	void unknownIdsAndBadParametersAreRefusedAsStripeRefusesThem() throws Exception {
		assertThatThrownBy(() -> client.v1().checkout().sessions().retrieve("cs_test_missing"))
			.isInstanceOfSatisfying(InvalidRequestException.class, ex -> {
				assertThat(ex.getStatusCode()).isEqualTo(404);
				assertThat(ex.getCode()).isEqualTo("resource_missing");
				assertThat(ex.getParam()).isEqualTo("id");
				assertThat(ex.getMessage()).contains("No such checkout.session: 'cs_test_missing'");
			});
		assertThatThrownBy(() -> client.v1().checkout().sessions().create(pack("cus_missing", 799)))
			.isInstanceOfSatisfying(InvalidRequestException.class, ex -> {
				assertThat(ex.getStatusCode()).isEqualTo(400);
				assertThat(ex.getCode()).isEqualTo("resource_missing");
				assertThat(ex.getParam()).isEqualTo("customer");
			});
		assertThatThrownBy(() -> client.v1().checkout().sessions().create(SessionCreateParams.builder()
			.setMode(SessionCreateParams.Mode.PAYMENT)
			.addLineItem(LineItem.builder().setPriceData(starterPack(799)).build())
			.build()))
			.isInstanceOfSatisfying(InvalidRequestException.class, ex -> {
				assertThat(ex.getParam()).isEqualTo("line_items[0]");
				assertThat(ex.getMessage()).contains("Quantity is required");
			});
		assertThatThrownBy(() -> client.v1().checkout().sessions().create(SessionCreateParams.builder()
			.setMode(SessionCreateParams.Mode.PAYMENT)
			.addLineItem(LineItem.builder().setQuantity(1L).setPriceData(starterPack(799)).build())
			.putExtraParam("colour", "red")
			.build()))
			.isInstanceOfSatisfying(InvalidRequestException.class, ex -> {
				assertThat(ex.getCode()).isEqualTo("parameter_unknown");
				assertThat(ex.getParam()).isEqualTo("colour");
			});
		assertThatThrownBy(() -> client.v1().checkout().sessions().create(SessionCreateParams.builder()
			.setMode(SessionCreateParams.Mode.PAYMENT)
			.addLineItem(LineItem.builder()
				.setQuantity(1L)
				.setPriceData(PriceData.builder()
					.setCurrency("usd")
					.setUnitAmount(100L)
					.setProductData(PriceData.ProductData.builder().setName("Kiln Pro").build())
					.setRecurring(PriceData.Recurring.builder().setInterval(PriceData.Recurring.Interval.MONTH).build())
					.build())
				.build())
			.build()))
			.isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("recurring price");
		HttpResponse<String> unknownPath = http.send(HttpRequest.newBuilder(URI.create(stripe.baseUrl() + "/v1/nothing"))
			.header("Authorization", "Bearer " + stripe.apiKey())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(unknownPath.statusCode()).isEqualTo(404);
		assertThat(unknownPath.body()).contains("Unrecognized request URL (GET: /v1/nothing)");
	}

	@Test
	void pricesByIdAndRawFormEncodingWorkAsWithCurl() throws Exception {
		var price = client.v1().prices().create(PriceCreateParams.builder()
			.setCurrency("eur")
			.setUnitAmount(4900L)
			.setProductData(PriceCreateParams.ProductData.builder().setName("Kiln Pro").build())
			.setRecurring(PriceCreateParams.Recurring.builder()
				.setInterval(PriceCreateParams.Recurring.Interval.MONTH)
				.build())
			.build());
		assertThat(price.getId()).startsWith("price_");

		String form = "mode=subscription&line_items[0][price]=" + price.getId() + "&line_items[0][quantity]=1"
				+ "&metadata[user_id]=7&success_url=https%3A%2F%2Fkiln.test%2Fok";
		HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(stripe.baseUrl() + "/v1/checkout/sessions"))
			.header("Authorization", "Bearer " + stripe.apiKey())
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(created.statusCode()).isEqualTo(200);
		assertThat(created.headers().firstValue("Request-Id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
		assertThat(created.body()).contains("\"amount_total\":4900").contains("\"currency\":\"eur\"")
			.contains("\"user_id\":\"7\"");

		HttpResponse<String> events = http.send(HttpRequest.newBuilder(URI.create(stripe.baseUrl()
				+ "/v1/events?types[]=price.created&types[]=product.created&limit=1"))
			.header("Authorization", "Bearer " + stripe.apiKey())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(events.statusCode()).isEqualTo(200);
		assertThat(events.body()).contains("\"type\":\"price.created\"").contains("\"has_more\":true");
	}

	@Test
	void eventsAreListedNewestFirstByTypeAndTime() throws Exception {
		stripe.pay(client.v1().checkout().sessions().create(pack(null, 500)).getId());
		stripe.pay(client.v1().checkout().sessions().create(pack(null, 600)).getId());

		List<Event> completed = client.v1().events()
			.list(EventListParams.builder().setType("checkout.session.completed").build()).getData();
		assertThat(completed).hasSize(2);
		assertThat(((Session) completed.getFirst().getDataObjectDeserializer().getObject().orElseThrow())
			.getAmountTotal()).as("newest first").isEqualTo(600L);
		assertThat(client.v1().events().list(EventListParams.builder().setType("payment_intent.*").build()).getData())
			.extracting(Event::getType)
			.containsOnly("payment_intent.created", "payment_intent.succeeded")
			.hasSize(4);
		assertThat(client.v1().events()
			.list(EventListParams.builder().addType("charge.succeeded").addType("checkout.session.completed").build())
			.getData()).extracting(Event::getType)
			.containsExactly("checkout.session.completed", "charge.succeeded", "checkout.session.completed",
					"charge.succeeded");
		long created = completed.getFirst().getCreated();
		assertThat(client.v1().events()
			.list(EventListParams.builder()
				.setCreated(EventListParams.Created.builder().setGt(created).build())
				.build())
			.getData()).isEmpty();
		List<String> paged = new ArrayList<>();
		client.v1().events().list(EventListParams.builder().setLimit(3L).build()).autoPagingIterable()
			.forEach(event -> paged.add(event.getId()));
		assertThat(paged).hasSize(stripe.eventTypes().size()).doesNotHaveDuplicates();
		Event one = client.v1().events().retrieve(completed.getFirst().getId());
		assertThat(one.getType()).isEqualTo("checkout.session.completed");
	}

	@Test
	void expiringASessionRaisesCheckoutSessionExpired() throws Exception {
		Session viaApi = client.v1().checkout().sessions().create(pack(null, 500));
		Session viaEmulator = client.v1().checkout().sessions().create(pack(null, 500));

		Session expired = client.v1().checkout().sessions().expire(viaApi.getId());
		stripe.expire(viaEmulator.getId());

		assertThat(expired.getStatus()).isEqualTo("expired");
		assertThat(expired.getUrl()).isNull();
		assertThat(client.v1().checkout().sessions().retrieve(viaEmulator.getId()).getStatus()).isEqualTo("expired");
		stripe.awaitWebhooksIdle(TIMEOUT);
		assertThat(receiver.eventTypes()).containsExactly("checkout.session.expired", "checkout.session.expired");
		assertThatThrownBy(() -> client.v1().checkout().sessions().expire(viaApi.getId()))
			.isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> stripe.pay(viaApi.getId())).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void aDelayedPaymentCompletesUnpaidThenSucceedsOrFails() throws Exception {
		Session succeeding = client.v1().checkout().sessions().create(pack(null, 5000));
		Session failing = client.v1().checkout().sessions().create(pack(null, 5000));

		stripe.payAsync(succeeding.getId());
		WebhookDelivery completed = stripe.awaitDelivered("checkout.session.completed", TIMEOUT);
		Session unpaid = (Session) Webhook
			.constructEvent(completed.payload(), completed.signatureHeader(), stripe.webhookSecret())
			.getDataObjectDeserializer().getObject().orElseThrow();
		assertThat(unpaid.getStatus()).isEqualTo("complete");
		assertThat(unpaid.getPaymentStatus()).isEqualTo("unpaid");
		stripe.succeedAsyncPayment(succeeding.getId());
		stripe.awaitDelivered("checkout.session.async_payment_succeeded", TIMEOUT);
		assertThat(client.v1().checkout().sessions().retrieve(succeeding.getId()).getPaymentStatus()).isEqualTo("paid");

		CheckoutPayment doomed = stripe.payAsync(failing.getId());
		stripe.failAsyncPayment(failing.getId());
		stripe.awaitDelivered("checkout.session.async_payment_failed", TIMEOUT);
		assertThat(client.v1().checkout().sessions().retrieve(failing.getId()).getPaymentStatus()).isEqualTo("unpaid");
		assertThat(client.v1().paymentIntents().retrieve(doomed.paymentIntentId()).getStatus())
			.isEqualTo("requires_payment_method");
		assertThat(client.v1().charges().retrieve(doomed.chargeId()).getStatus()).isEqualTo("failed");
	}

	@Test
	void aBillingPortalSessionHasAUrlToThePortal() throws Exception {
		String customer = client.v1().customers().create(CustomerCreateParams.builder().setEmail("ada@example.com")
			.build()).getId();

		var portal = client.v1().billingPortal().sessions().create(
				com.stripe.param.billingportal.SessionCreateParams.builder()
					.setCustomer(customer)
					.setReturnUrl("https://kiln.test/account")
					.build());

		assertThat(portal.getId()).startsWith("bps_");
		assertThat(portal.getCustomer()).isEqualTo(customer);
		assertThat(portal.getReturnUrl()).isEqualTo("https://kiln.test/account");
		HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(portal.getUrl())).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains(customer).contains("https://kiln.test/account");
	}

	@Test
	void duplicateWebhooksDeliversEachEventSeveralTimes() throws Exception {
		stripe.sendWebhooksTo(receiver.uri(), List.of("checkout.session.completed"));
		stripe.duplicateWebhooks(3);

		stripe.pay(client.v1().checkout().sessions().create(pack(null, 500)).getId());
		stripe.awaitWebhooksIdle(TIMEOUT);

		assertThat(receiver.eventIds()).hasSize(3).containsOnly(receiver.eventIds().getFirst());
		assertThat(stripe.deliveries()).extracting(WebhookDelivery::copy).containsExactly(1, 2, 3);
	}

	@Test
	void concurrentDuplicatesArriveAtTheSameTime() throws Exception {
		stripe.sendWebhooksTo(receiver.uri(), List.of("checkout.session.completed"));
		stripe.concurrentDuplicates(4);
		receiver.meetInGroupsOf(4);

		stripe.pay(client.v1().checkout().sessions().create(pack(null, 500)).getId());
		stripe.awaitWebhooksIdle(TIMEOUT);

		assertThat(receiver.eventIds()).hasSize(4).containsOnly(receiver.eventIds().getFirst());
		assertThat(receiver.mostAtOnce()).isEqualTo(4);
	}

	@Test
	void delayedWebhooksArriveLater() throws Exception {
		stripe.delayWebhooks(Duration.ofMillis(700));
		Instant paid = Instant.now();

		stripe.pay(client.v1().checkout().sessions().create(pack(null, 500)).getId());

		assertThat(receiver.received()).isEmpty();
		WebhookDelivery first = stripe.awaitDelivery(d -> true, TIMEOUT);
		assertThat(Duration.between(paid, first.at())).isGreaterThanOrEqualTo(Duration.ofMillis(700));
	}

	@Test
	void reorderedWebhooksDeliverABatchNewestFirst() throws Exception {
		stripe.reorderWebhooks();

		stripe.pay(client.v1().checkout().sessions().create(pack(null, 500)).getId());
		stripe.awaitWebhooksIdle(TIMEOUT);

		assertThat(receiver.eventTypes()).containsExactly("checkout.session.completed", "payment_intent.succeeded",
				"charge.succeeded", "payment_intent.created");
	}

	@Test
	void droppedWebhooksAreNeverDeliveredButEventsAndSessionsStillShowThem() throws Exception {
		stripe.dropWebhooks(true);
		Session session = client.v1().checkout().sessions().create(pack(null, 500));

		stripe.pay(session.getId());
		stripe.awaitWebhooksIdle(TIMEOUT);

		assertThat(receiver.received()).isEmpty();
		assertThat(stripe.deliveries()).isEmpty();
		Event completed = client.v1().events()
			.list(EventListParams.builder().setType("checkout.session.completed").build())
			.getData()
			.getFirst();
		assertThat(completed.getPendingWebhooks()).isEqualTo(1L);
		assertThat(((Session) completed.getDataObjectDeserializer().getObject().orElseThrow()).getId())
			.isEqualTo(session.getId());
		assertThat(client.v1().checkout().sessions()
			.list(SessionListParams.builder().setStatus(SessionListParams.Status.COMPLETE).build())
			.getData()).extracting(Session::getId).containsExactly(session.getId());

		stripe.dropWebhooks(false);
		stripe.expire(client.v1().checkout().sessions().create(pack(null, 500)).getId());
		stripe.awaitDelivered("checkout.session.expired", TIMEOUT);
	}

	@Test
	void aForgedSignatureIsRefusedByStripeJavaAndTheRetryIsSignedCorrectly() throws Exception {
		stripe.sendWebhooksTo(receiver.uri(), List.of("checkout.session.completed"));
		stripe.webhookRetries(3, Duration.ofMillis(50));
		stripe.forgeNextSignature();

		stripe.pay(client.v1().checkout().sessions().create(pack(null, 500)).getId());
		WebhookDelivery delivered = stripe.awaitDelivered("checkout.session.completed", TIMEOUT);

		List<WebhookReceiver.Received> received = receiver.received();
		assertThat(received).extracting(WebhookReceiver.Received::status).containsExactly(400, 200);
		assertThatThrownBy(() -> Webhook.constructEvent(received.getFirst().payload(), received.getFirst().signature(),
				stripe.webhookSecret()))
			.isInstanceOf(SignatureVerificationException.class);
		assertThat(delivered.attempt()).isEqualTo(2);
		Event event = client.v1().events().retrieve(Webhook.constructEventWithoutVerification(delivered.payload()).getId());
		assertThat(event.getPendingWebhooks()).isZero();
	}

	@Test
	void aStaleTimestampFailsStripeJavasToleranceCheck() throws Exception {
		stripe.sendWebhooksTo(receiver.uri(), List.of("checkout.session.completed"));
		stripe.webhookRetries(1, Duration.ZERO);
		stripe.staleTimestamp(Duration.ofMinutes(10));

		stripe.pay(client.v1().checkout().sessions().create(pack(null, 500)).getId());
		stripe.awaitWebhooksIdle(TIMEOUT);

		WebhookReceiver.Received stale = receiver.received().getFirst();
		assertThat(stale.status()).isEqualTo(400);
		assertThat(Long.parseLong(stale.signature().substring(2, stale.signature().indexOf(','))))
			.isCloseTo(Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond(), within(5L));
		assertThatThrownBy(() -> Webhook.constructEvent(stale.payload(), stale.signature(), stripe.webhookSecret()))
			.isInstanceOf(SignatureVerificationException.class)
			.hasMessageContaining("tolerance");
		Webhook.Signature.verifyHeader(stale.payload(), stale.signature(), stripe.webhookSecret(), 0);
	}

	@Test
	void failedDeliveriesAreRetriedWithBackoffUntilTheEndpointAccepts() throws Exception {
		stripe.sendWebhooksTo(receiver.uri(), List.of("checkout.session.completed"));
		stripe.webhookRetries(4, Duration.ofMillis(100));
		receiver.answer(500, 503);

		stripe.pay(client.v1().checkout().sessions().create(pack(null, 500)).getId());
		stripe.awaitDelivered("checkout.session.completed", TIMEOUT);

		List<WebhookDelivery> deliveries = stripe.deliveries();
		assertThat(deliveries).extracting(WebhookDelivery::attempt, WebhookDelivery::status)
			.containsExactly(tuple(1, 500), tuple(2, 503), tuple(3, 200));
		assertThat(Duration.between(deliveries.get(0).at(), deliveries.get(1).at()))
			.isGreaterThanOrEqualTo(Duration.ofMillis(100));
		assertThat(Duration.between(deliveries.get(1).at(), deliveries.get(2).at()))
			.isGreaterThanOrEqualTo(Duration.ofMillis(200));
		for (WebhookDelivery delivery : deliveries) {
			Webhook.Signature.verifyHeader(delivery.payload(), delivery.signatureHeader(), stripe.webhookSecret(),
					Webhook.DEFAULT_TOLERANCE);
		}
	}

	@Test
	void openSessionsExpireAtTheirExpiresAtOnTheEmulatorsClock() throws Exception {
		SettableClock clock = new SettableClock();
		try (StripeEmulator clocked = StripeEmulator.start(clock);
				WebhookReceiver endpoint = WebhookReceiver.start(clocked.webhookSecret())) {
			clocked.sendWebhooksTo(endpoint.uri());
			StripeClient clockedClient = StripeClient.builder()
				.setApiKey(clocked.apiKey())
				.setApiBase(clocked.baseUrl())
				.build();
			Session session = clockedClient.v1().checkout().sessions().create(pack(null, 500));

			clock.advance(Duration.ofHours(24).plusSeconds(1));

			WebhookDelivery expired = clocked.awaitDelivered("checkout.session.expired", TIMEOUT);
			assertThat(expired.payload()).contains(session.getId());
			assertThat(clockedClient.v1().checkout().sessions().retrieve(session.getId()).getStatus())
				.isEqualTo("expired");
		}
	}

	@Test
	void programmaticControlsDoNotBlockANonBlockingThread() throws Exception {
		String sessionId = client.v1().checkout().sessions().create(monthlyPlan(null, 1900)).getId();

		Mono<String> onEventLoop = Mono.fromCallable(() -> {
			CheckoutPayment payment = stripe.pay(sessionId);
			stripe.renew(payment.subscriptionId());
			stripe.failRenewal(payment.subscriptionId());
			stripe.refund(payment.chargeId(), 100);
			return payment.subscriptionId();
		}).subscribeOn(Schedulers.parallel());

		StepVerifier.create(onEventLoop).expectNextMatches(id -> id.startsWith("sub_")).verifyComplete();
		stripe.awaitDelivered("invoice.payment_failed", TIMEOUT);
	}

	private Event eventOf(String type) throws Exception {
		return client.v1().events().list(EventListParams.builder().setType(type).build()).getData().getFirst();
	}

	private static SessionCreateParams pack(String customer, long amount) {
		return SessionCreateParams.builder()
			.setMode(SessionCreateParams.Mode.PAYMENT)
			.setCustomer(customer)
			.addLineItem(LineItem.builder().setQuantity(1L).setPriceData(starterPack(amount)).build())
			.setClientReferenceId("order-1")
			.putAllMetadata(Map.of("user_id", "42", "pack", "starter"))
			.setSuccessUrl("https://kiln.test/credits/success?session_id={CHECKOUT_SESSION_ID}")
			.setCancelUrl("https://kiln.test/credits")
			.build();
	}

	private static PriceData starterPack(long amount) {
		return PriceData.builder()
			.setCurrency("usd")
			.setUnitAmount(amount)
			.setProductData(PriceData.ProductData.builder().setName("Starter pack").build())
			.build();
	}

	private static SessionCreateParams monthlyPlan(String customer, long amount) {
		return SessionCreateParams.builder()
			.setMode(SessionCreateParams.Mode.SUBSCRIPTION)
			.setCustomer(customer)
			.addLineItem(LineItem.builder()
				.setQuantity(1L)
				.setPriceData(PriceData.builder()
					.setCurrency("usd")
					.setUnitAmount(amount)
					.setProductData(PriceData.ProductData.builder().setName("Kiln Pro").build())
					.setRecurring(PriceData.Recurring.builder().setInterval(PriceData.Recurring.Interval.MONTH).build())
					.build())
				.build())
			.putMetadata("user_id", "42")
			.setSubscriptionData(SessionCreateParams.SubscriptionData.builder().putMetadata("user_id", "42").build())
			.setSuccessUrl("https://kiln.test/plans/success")
			.build();
	}
}
