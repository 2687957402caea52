package dev.kiln.testing.runpod;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * POSTs a finished job's status JSON to its webhook as RunPod does: a 2xx answer acknowledges it, anything
 * else (or no answer) is retried after a fixed delay, up to 2 more times by default. Each copy a
 * duplication fault asks for is sent and retried on its own. Every attempt is recorded.
 */
final class WebhookSender {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final HttpClient http;

	private final ScheduledExecutorService scheduler;

	private final Timings timings;

	private final Clock clock;

	// Guarded by this.
	private final List<WebhookDelivery> log = new ArrayList<>();

	WebhookSender(HttpClient http, ScheduledExecutorService scheduler, Timings timings, Clock clock) {
		this.http = http;
		this.scheduler = scheduler;
		this.timings = timings;
		this.clock = clock;
	}

	void send(String jobId, URI url, String body, int copies) {
		int attempts = timings.webhookAttempts();
		Duration delay = timings.webhookRetryDelay();
		for (int copy = 1; copy <= copies; copy++) {
			attempt(jobId, url, body, copy, 1, attempts, delay);
		}
	}

	synchronized List<WebhookDelivery> deliveries() {
		return List.copyOf(log);
	}

	/** Waits on the caller's thread (a test's, never an event loop) for a delivery that matches. */
	synchronized WebhookDelivery await(Predicate<WebhookDelivery> condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			for (WebhookDelivery delivery : log) {
				if (condition.test(delivery)) {
					return delivery;
				}
			}
			long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			if (left <= 0) {
				throw new AssertionError("No webhook delivery matched within " + timeout + "; deliveries: "
						+ log.stream().map(d -> d.jobId() + "#" + d.copy() + "/" + d.attempt() + "=" + d.status())
							.toList());
			}
			try {
				wait(left);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for webhook deliveries", ex);
			}
		}
	}

	private void attempt(String jobId, URI url, String body, int copy, int attempt, int attempts, Duration delay) {
		HttpRequest request = HttpRequest.newBuilder(url)
			.timeout(TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
			.build();
		http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
			WebhookDelivery delivery = new WebhookDelivery(jobId, url, body,
					failure == null ? response.statusCode() : -1, copy, attempt, clock.instant());
			record(delivery);
			if (!delivery.succeeded() && attempt < attempts) {
				try {
					scheduler.schedule(() -> attempt(jobId, url, body, copy, attempt + 1, attempts, delay),
							delay.toMillis(), TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException closed) {
					// the emulator is closing: no more retries
				}
			}
		});
	}

	private synchronized void record(WebhookDelivery delivery) {
		log.add(delivery);
		notifyAll();
	}
}
