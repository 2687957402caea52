package dev.kiln.testing.stripe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.stripe.Stripe;
import com.sun.net.httpserver.HttpServer;

/**
 * Stripe's API for Checkout, Billing and payments on 127.0.0.1, for the real stripe-java client:
 *
 * <pre>{@code
 * try (StripeEmulator stripe = StripeEmulator.start()) {
 *     StripeClient client = StripeClient.builder().setApiKey(stripe.apiKey()).setApiBase(stripe.baseUrl()).build();
 *     stripe.sendWebhooksTo(URI.create("http://127.0.0.1:" + port + "/webhooks/stripe"));
 *     Session session = client.v1().checkout().sessions().create(params);
 *     stripe.pay(session.getId()); // or POST to session.getUrl(), as a browser would
 *     stripe.awaitDelivered("checkout.session.completed", Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * Objects and events have the shapes of the API version that stripe-java pins ({@link Stripe#API_VERSION}),
 * webhooks are signed with {@link #webhookSecret()} as Stripe signs them, and fault switches make
 * delivery misbehave as Stripe's may (duplicates, delays, reordering, loss, bad signatures). The API key
 * and webhook secret are made at start. Thread-safe; the server, the webhook sender and the expiry of
 * Checkout Sessions run on the emulator's own threads. Only the {@code await} methods block, on the
 * caller's thread, which must be a test's, never an event loop.
 */
public final class StripeEmulator implements AutoCloseable {

	private final String baseUrl;

	private final String apiKey;

	private final String webhookSecret;

	private final StripeStore store;

	private final Checkout checkout;

	private final Billing billing;

	private final Payments payments;

	private final WebhookFaults faults;

	private final WebhookSender webhooks;

	private final StripeHttpServer http;

	private final ScheduledExecutorService expiry;

	private StripeEmulator(HttpServer server, Clock clock) {
		int port = server.getAddress().getPort();
		String threads = "stripe-emulator-" + port + "-";
		this.baseUrl = "http://127.0.0.1:" + port;
		this.apiKey = Ids.apiKey();
		this.webhookSecret = Ids.webhookSecret();
		this.store = new StripeStore(clock);
		this.faults = new WebhookFaults();
		this.webhooks = new WebhookSender(webhookSecret, clock, faults, store::delivered, threads);
		store.sendEventsTo(webhooks::enqueue, webhooks::subscribed);
		Catalog catalog = new Catalog(store);
		this.payments = new Payments(store);
		this.billing = new Billing(store, payments, baseUrl);
		this.checkout = new Checkout(store, catalog, payments, billing, baseUrl);
		ApiRoutes routes = new ApiRoutes(store, catalog, checkout, billing, payments);
		ExecutorService executor = Executors.newFixedThreadPool(4,
				Thread.ofPlatform().name(threads + "http-", 0).daemon().factory());
		this.http = new StripeHttpServer(server, executor, apiKey, store, routes, new HostedPages(store, checkout));
		this.expiry = Executors.newSingleThreadScheduledExecutor(
				Thread.ofPlatform().name(threads + "expiry").daemon().factory());
		expiry.scheduleWithFixedDelay(() -> store.atomically(checkout::expireDue), 1, 1, TimeUnit.SECONDS);
	}

	/** Starts on a free port of 127.0.0.1 with the system clock. */
	public static StripeEmulator start() {
		return start(Clock.systemUTC());
	}

	/**
	 * Starts on a free port of 127.0.0.1; {@code clock} gives {@code created} times, expiry of Checkout
	 * Sessions (checked every second) and webhook signature timestamps, so a test clock moves them all.
	 */
	public static StripeEmulator start(Clock clock) {
		try {
			HttpServer server = HttpServer
				.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), 0), 0);
			return new StripeEmulator(server, clock);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code http://127.0.0.1:<port>}, for {@code StripeClient.builder().setApiBase(...)}. */
	public String baseUrl() {
		return baseUrl;
	}

	/** The secret key ({@code sk_test_emulator_…}) that {@code /v1} requests must present. */
	public String apiKey() {
		return apiKey;
	}

	/** The endpoint secret ({@code whsec_…}) that signs webhooks, for {@code Webhook.constructEvent}. */
	public String webhookSecret() {
		return webhookSecret;
	}

	/** Sends every event from now on to {@code endpoint}, which must be on this machine's loopback. */
	public void sendWebhooksTo(URI endpoint) {
		sendWebhooksTo(endpoint, type -> true);
	}

	/** Sends only events of these types, as an endpoint's {@code enabled_events} does. */
	public void sendWebhooksTo(URI endpoint, Collection<String> enabledEvents) {
		Set<String> enabled = Set.copyOf(enabledEvents);
		sendWebhooksTo(endpoint, enabled::contains);
	}

	/** Events are still recorded, and listed by {@code /v1/events}, but sent nowhere. */
	public void stopSendingWebhooks() {
		webhooks.endpoint(null, type -> false);
	}

	/** The customer pays by card on the hosted page; see {@link CheckoutPayment} for what that made. */
	public CheckoutPayment pay(String sessionId) {
		return store.atomically(() -> checkout.pay(sessionId, false));
	}

	/**
	 * The customer pays with a delayed method (a bank debit): {@code checkout.session.completed} comes
	 * with {@code payment_status: unpaid}, and the payment settles with {@link #succeedAsyncPayment} or
	 * {@link #failAsyncPayment}. For {@code mode=payment} sessions.
	 */
	public CheckoutPayment payAsync(String sessionId) {
		return store.atomically(() -> checkout.pay(sessionId, true));
	}

	/** {@code checkout.session.async_payment_succeeded}; the session turns {@code paid}. */
	public void succeedAsyncPayment(String sessionId) {
		store.atomically(() -> checkout.settle(sessionId, true));
	}

	/** {@code checkout.session.async_payment_failed}; the session stays {@code unpaid}. */
	public void failAsyncPayment(String sessionId) {
		store.atomically(() -> checkout.settle(sessionId, false));
	}

	/** The session expires unpaid, as at its {@code expires_at}: {@code checkout.session.expired}. */
	public void expire(String sessionId) {
		store.atomically(() -> checkout.expireNow(sessionId));
	}

	/**
	 * The subscription's next period is paid ({@code invoice.paid}, billing reason
	 * {@code subscription_cycle}); a {@code past_due} subscription instead has its open invoice paid and
	 * turns {@code active}. Returns the paid invoice's id.
	 */
	public String renew(String subscriptionId) {
		return store.atomically(() -> billing.renew(subscriptionId));
	}

	/**
	 * The next period's payment is declined: {@code invoice.payment_failed}, and the subscription turns
	 * {@code past_due} ({@code customer.subscription.updated}). Returns the open invoice's id.
	 */
	public String failRenewal(String subscriptionId) {
		return store.atomically(() -> billing.failRenewal(subscriptionId));
	}

	/** Stripe ends the subscription (as at the end of dunning): {@code customer.subscription.deleted}. */
	public void cancelSubscription(String subscriptionId) {
		store.atomically(() -> billing.cancel(subscriptionId));
	}

	/** Refunds part of a charge, as from the Dashboard: {@code charge.refunded}. Returns the refund's id. */
	public String refund(String chargeId, long amount) {
		return store.atomically(() -> {
			try {
				return (String) payments.refund(store.require("charge", chargeId), amount, null, Map.of(),
						Origin.AUTOMATIC).get("id");
			}
			catch (StripeApiException ex) {
				throw new IllegalStateException(ex.getMessage(), ex);
			}
		});
	}

	/** The cardholder disputes the charge as fraudulent: {@code charge.dispute.created}. Returns the dispute's id. */
	public String dispute(String chargeId) {
		return store.atomically(() -> (String) payments.dispute(chargeId, "fraudulent").get("id"));
	}

	/** The issuer closes the dispute, for the merchant ({@code won}) or not: {@code charge.dispute.closed}. */
	public void closeDispute(String disputeId, boolean won) {
		store.atomically(() -> payments.closeDispute(disputeId, won));
	}

	/** Each event is delivered {@code copies} times, one after another (1 turns the fault off). */
	public void duplicateWebhooks(int copies) {
		faults.duplicates(copies);
	}

	/** Each event is delivered {@code copies} times at once, to race the endpoint against itself. */
	public void concurrentDuplicates(int copies) {
		faults.concurrentCopies(copies);
	}

	/** Each batch of events waits this long before its first delivery. */
	public void delayWebhooks(Duration delay) {
		faults.delay(delay);
	}

	/** Delivers each batch of events (everything one change raised) newest first. */
	public void reorderWebhooks() {
		faults.reverse(true);
	}

	public void reorderWebhooks(boolean reverse) {
		faults.reverse(reverse);
	}

	/**
	 * Events are stored and listed but never delivered, as when an endpoint is down past Stripe's
	 * retries: a reconciler must find them through {@code /v1/events} or the objects' lists.
	 */
	public void dropWebhooks(boolean drop) {
		faults.drop(drop);
	}

	/** The next delivery is signed with another secret; its retries are signed correctly. */
	public void forgeNextSignature() {
		faults.forgeNext();
	}

	/** Signatures carry a timestamp this much in the past ({@code Duration.ZERO} turns it off). */
	public void staleTimestamp(Duration age) {
		faults.staleBy(age);
	}

	/**
	 * Stripe retries a delivery that gets no 2xx answer with exponential backoff (for up to three days
	 * in live mode); here at most {@code maxAttempts} attempts in all, waiting {@code firstBackoff}, then
	 * twice as long each time. Defaults: 4 attempts, 200 ms.
	 */
	public void webhookRetries(int maxAttempts, Duration firstBackoff) {
		faults.retries(maxAttempts, firstBackoff);
	}

	/** Turns every fault off and restores the default retries. */
	public void resetWebhookFaults() {
		faults.reset();
	}

	/** Every delivery attempt so far, in the order the endpoint answered them. */
	public List<WebhookDelivery> deliveries() {
		return webhooks.deliveries();
	}

	/** The types of all events so far, oldest first, whether or not they were delivered. */
	public List<String> eventTypes() {
		return store.atomically(() -> store.newestFirst("event").reversed().stream()
			.map(event -> (String) event.get("type"))
			.toList());
	}

	/** Waits for the first delivery of an event of this type that the endpoint answered with 2xx. */
	public WebhookDelivery awaitDelivered(String eventType, Duration timeout) {
		return awaitDelivery(delivery -> delivery.eventType().equals(eventType) && delivery.succeeded(), timeout);
	}

	/** Waits for a delivery that matches, whatever the endpoint answered. */
	public WebhookDelivery awaitDelivery(Predicate<WebhookDelivery> condition, Duration timeout) {
		return webhooks.await(condition, timeout, "matching the condition");
	}

	/** Waits until every queued delivery, delay and scheduled retry has finished. */
	public void awaitWebhooksIdle(Duration timeout) {
		webhooks.awaitIdle(timeout);
	}

	@Override
	public void close() {
		expiry.shutdownNow();
		http.close();
		webhooks.close();
	}

	private void sendWebhooksTo(URI endpoint, Predicate<String> enabled) {
		try {
			if (endpoint.getHost() == null || !InetAddress.getByName(endpoint.getHost()).isLoopbackAddress()) {
				throw new IllegalArgumentException("Webhooks go to loopback addresses only: " + endpoint);
			}
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("Unknown webhook host: " + endpoint, ex);
		}
		webhooks.endpoint(endpoint, enabled);
	}
}
