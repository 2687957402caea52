package dev.kiln.testing.stripe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook endpoint for the emulator's tests, on 127.0.0.1: it checks each signature with
 * {@link Webhook#constructEvent} and answers 200, or 400 for a bad signature, as Kiln's endpoint will.
 * Tests can script other answers and make requests wait for each other to prove they overlap.
 */
final class WebhookReceiver implements AutoCloseable {

	/** One request as it arrived, and what the receiver answered. */
	record Received(String payload, String signature, int status) {
	}

	private final HttpServer server;

	private final ExecutorService executor;

	private final String secret;

	private final List<Received> received = new ArrayList<>();

	private final Deque<Integer> scripted = new ArrayDeque<>();

	private final AtomicInteger inside = new AtomicInteger();

	private final AtomicInteger mostInside = new AtomicInteger();

	private volatile CountDownLatch meeting;

	private WebhookReceiver(HttpServer server, ExecutorService executor, String secret) {
		this.server = server;
		this.executor = executor;
		this.secret = secret;
		server.createContext("/webhooks/stripe", this::handle);
		server.setExecutor(executor);
		server.start();
	}

	static WebhookReceiver start(String secret) {
		try {
			HttpServer server = HttpServer
				.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), 0), 0);
			ExecutorService executor = Executors.newFixedThreadPool(8,
					Thread.ofPlatform().name("webhook-receiver-", 0).daemon().factory());
			return new WebhookReceiver(server, executor, secret);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	URI uri() {
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/stripe");
	}

	/** The next requests are answered with these statuses, whatever their signature. */
	synchronized void answer(int... statuses) {
		for (int status : statuses) {
			scripted.add(status);
		}
	}

	/** Each of the next requests waits (up to 5 s) until {@code count} requests are being handled at once. */
	void meetInGroupsOf(int count) {
		meeting = new CountDownLatch(count);
	}

	int mostAtOnce() {
		return mostInside.get();
	}

	synchronized List<Received> received() {
		return List.copyOf(received);
	}

	/** The ids of the events received, in arrival order, duplicates included. */
	List<String> eventIds() {
		return received().stream().map(r -> Webhook.constructEventWithoutVerification(r.payload()).getId()).toList();
	}

	List<String> eventTypes() {
		return received().stream().map(r -> Webhook.constructEventWithoutVerification(r.payload()).getType()).toList();
	}

	@Override
	public void close() {
		server.stop(0);
		executor.shutdownNow();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			int now = inside.incrementAndGet();
			mostInside.accumulateAndGet(now, Math::max);
			String payload = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			String signature = exchange.getRequestHeaders().getFirst("Stripe-Signature");
			CountDownLatch group = meeting;
			if (group != null) {
				group.countDown();
				group.await(5, TimeUnit.SECONDS);
			}
			int status;
			synchronized (this) {
				Integer next = scripted.poll();
				status = next != null ? next : verified(payload, signature) ? 200 : 400;
				received.add(new Received(payload, signature, status));
			}
			inside.decrementAndGet();
			exchange.sendResponseHeaders(status, -1);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private boolean verified(String payload, String signature) {
		try {
			Webhook.constructEvent(payload, signature, secret);
			return true;
		}
		catch (SignatureVerificationException ex) {
			return false;
		}
	}
}
