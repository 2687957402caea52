package dev.kiln.testing.stripe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * POSTs events to the webhook endpoint as Stripe does: the event as JSON, signed in
 * {@code Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">} with a fresh timestamp
 * on every attempt, and retried with exponential backoff while the endpoint answers anything but 2xx.
 * Batches go out one after another, each event after the previous one's first answer; retries run on
 * their own schedule. Everything happens on the sender's threads, never on a caller's.
 */
final class WebhookSender implements AutoCloseable {

	/** An event as it will be sent: its JSON is fixed when the change that raised it ends. */
	record Outgoing(String id, String type, String payload) {
	}

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final String secret;

	private final String forgerySecret = Ids.webhookSecret();

	private final Clock clock;

	private final WebhookFaults faults;

	private final Consumer<String> delivered;

	private final ScheduledExecutorService scheduler;

	private final ExecutorService executor;

	private final HttpClient http;

	private volatile URI endpoint;

	private volatile Predicate<String> enabled = type -> true;

	// Guarded by this: the tail of the delivery queue, the delivery log and the work not yet finished.
	private CompletableFuture<Void> lane = CompletableFuture.completedFuture(null);

	private final List<WebhookDelivery> log = new ArrayList<>();

	private int inFlight;

	WebhookSender(String secret, Clock clock, WebhookFaults faults, Consumer<String> delivered, String threadPrefix) {
		this.secret = secret;
		this.clock = clock;
		this.faults = faults;
		this.delivered = delivered;
		this.scheduler = Executors.newSingleThreadScheduledExecutor(
				Thread.ofPlatform().name(threadPrefix + "webhook-timer").daemon().factory());
		// A ForkJoinPool takes work from a caller's thread without locks, so queueing a batch never parks it.
		AtomicInteger workers = new AtomicInteger();
		this.executor = new ForkJoinPool(2, pool -> {
			ForkJoinWorkerThread worker = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
			worker.setName(threadPrefix + "webhook-" + workers.getAndIncrement());
			return worker;
		}, null, true);
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(TIMEOUT)
			.executor(executor)
			.build();
	}

	void endpoint(URI endpoint, Predicate<String> enabled) {
		this.enabled = enabled;
		this.endpoint = endpoint;
	}

	/** Whether an event of this type has somewhere to go, which is what {@code pending_webhooks} counts. */
	boolean subscribed(String type) {
		return endpoint != null && enabled.test(type);
	}

	void enqueue(List<Outgoing> batch) {
		URI target = endpoint;
		List<Outgoing> wanted = batch.stream().filter(event -> enabled.test(event.type())).toList();
		if (target == null || wanted.isEmpty()) {
			return;
		}
		WebhookFaults.Plan plan = faults.take();
		if (plan.drop()) {
			return;
		}
		synchronized (this) {
			inFlight++;
			lane = lane.thenComposeAsync(ignored -> deliverBatch(target, wanted, plan), executor)
				.exceptionally(failure -> null)
				.whenComplete((ignored, failure) -> finished());
		}
	}

	synchronized List<WebhookDelivery> deliveries() {
		return List.copyOf(log);
	}

	/** Waits on the caller's thread (a test's, never an event loop) for a delivery that matches. */
	synchronized WebhookDelivery await(Predicate<WebhookDelivery> condition, Duration timeout, String description) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			for (WebhookDelivery delivery : log) {
				if (condition.test(delivery)) {
					return delivery;
				}
			}
			waitUntil(deadline, () -> "No webhook delivery " + description + " within " + timeout + "; deliveries: "
					+ summary());
		}
	}

	/** Waits until every queued delivery and scheduled retry has finished. */
	synchronized void awaitIdle(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (inFlight > 0) {
			waitUntil(deadline, () -> inFlight + " webhook deliveries still under way after " + timeout);
		}
	}

	@Override
	public void close() {
		scheduler.shutdownNow();
		http.shutdownNow();
		executor.shutdownNow();
	}

	private CompletableFuture<Void> deliverBatch(URI target, List<Outgoing> batch, WebhookFaults.Plan plan) {
		CompletableFuture<Void> chain = plan.delay().isZero() ? CompletableFuture.completedFuture(null)
				: later(plan.delay());
		List<Outgoing> ordered = plan.reverse() ? batch.reversed() : batch;
		for (int i = 0; i < ordered.size(); i++) {
			Outgoing event = ordered.get(i);
			boolean forge = plan.forgeFirst() && i == 0;
			chain = chain.thenCompose(ignored -> copies(target, event, plan, forge));
		}
		return chain;
	}

	// duplicates × concurrentCopies copies: each group of concurrent copies is sent at once, the groups one after another.
	private CompletableFuture<Void> copies(URI target, Outgoing event, WebhookFaults.Plan plan, boolean forge) {
		CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
		for (int group = 0; group < plan.duplicates(); group++) {
			int firstCopy = group * plan.concurrentCopies() + 1;
			chain = chain.thenCompose(ignored -> {
				List<CompletableFuture<Void>> sends = new ArrayList<>();
				for (int copy = firstCopy; copy < firstCopy + plan.concurrentCopies(); copy++) {
					sends.add(attempt(target, event, copy, 1, plan, forge && copy == 1));
				}
				return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
			});
		}
		return chain;
	}

	// Completes with the endpoint's answer; a retry, if one is due, is scheduled and tracked on its own.
	private CompletableFuture<Void> attempt(URI target, Outgoing event, int copy, int attempt, WebhookFaults.Plan plan,
			boolean forge) {
		long timestamp = clock.instant().minus(plan.staleBy()).getEpochSecond();
		String signature = "t=" + timestamp + ",v1=" + sign(forge ? forgerySecret : secret, timestamp + "." + event.payload());
		HttpRequest request = HttpRequest.newBuilder(target)
			.timeout(TIMEOUT)
			.header("Content-Type", "application/json; charset=utf-8")
			.header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
			.header("Stripe-Signature", signature)
			.POST(HttpRequest.BodyPublishers.ofString(event.payload(), StandardCharsets.UTF_8))
			.build();
		return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
			WebhookDelivery delivery = new WebhookDelivery(event.id(), event.type(), copy, attempt,
					failure == null ? response.statusCode() : -1, signature, event.payload(),
					failure == null ? response.body() : failure.toString(), clock.instant());
			record(delivery);
			if (delivery.succeeded()) {
				delivered.accept(event.id());
			}
			else if (attempt < plan.maxAttempts()) {
				retryLater(target, event, copy, attempt + 1, plan);
			}
			return null;
		});
	}

	private void retryLater(URI target, Outgoing event, int copy, int attempt, WebhookFaults.Plan plan) {
		long backoff = plan.firstBackoff().toMillis() << Math.min(attempt - 2, 20);
		synchronized (this) {
			inFlight++;
		}
		try {
			scheduler.schedule(() -> attempt(target, event, copy, attempt, plan, false)
				.whenComplete((ignored, failure) -> finished()), backoff, TimeUnit.MILLISECONDS);
		}
		catch (RuntimeException closed) {
			finished();
		}
	}

	private CompletableFuture<Void> later(Duration delay) {
		CompletableFuture<Void> done = new CompletableFuture<>();
		scheduler.schedule(() -> done.complete(null), delay.toMillis(), TimeUnit.MILLISECONDS);
		return done;
	}

	private synchronized void record(WebhookDelivery delivery) {
		log.add(delivery);
		notifyAll();
	}

	private synchronized void finished() {
		inFlight--;
		notifyAll();
	}

	// Called with this object's lock held.
	private void waitUntil(long deadline, Supplier<String> timeoutMessage) {
		long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
		if (left <= 0) {
			throw new AssertionError(timeoutMessage.get());
		}
		try {
			wait(left);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for webhook deliveries", ex);
		}
	}

	private String summary() {
		return log.stream().map(d -> d.eventType() + "#" + d.copy() + "/" + d.attempt() + "=" + d.status()).toList()
			.toString();
	}

	static String sign(String secret, String signedPayload) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			return HexFormat.of().formatHex(mac.doFinal(signedPayload.getBytes(StandardCharsets.UTF_8)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
