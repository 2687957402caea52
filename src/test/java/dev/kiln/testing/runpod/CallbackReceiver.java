package dev.kiln.testing.runpod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Kiln's side of the calls the emulator makes, for its tests, on 127.0.0.1: it stores every request
 * (webhooks, progress reports, uploads) and answers 200, or the statuses a test scripted for a path.
 */
final class CallbackReceiver implements AutoCloseable {

	/** One request as it arrived, and what the receiver answered. */
	record Received(String method, String path, String contentType, byte[] body, int status) {

		String text() {
			return new String(body, StandardCharsets.UTF_8);
		}
	}

	private final HttpServer server;

	private final ExecutorService executor;

	private final List<Received> received = new ArrayList<>();

	private final Map<String, Deque<Integer>> scripted = new HashMap<>();

	private CallbackReceiver(HttpServer server, ExecutorService executor) {
		this.server = server;
		this.executor = executor;
		server.createContext("/", this::handle);
		server.setExecutor(executor);
		server.start();
	}

	static CallbackReceiver start() {
		try {
			HttpServer server = HttpServer
				.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), 0), 0);
			return new CallbackReceiver(server, Executors.newFixedThreadPool(8,
					Thread.ofPlatform().name("runpod-callbacks-", 0).daemon().factory()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code http://127.0.0.1:<port><path>}. */
	URI uri(String path) {
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
	}

	/** The next requests to this path are answered with these statuses, then 200 again. */
	synchronized void answer(String path, int... statuses) {
		Deque<Integer> queue = scripted.computeIfAbsent(path, p -> new ArrayDeque<>());
		for (int status : statuses) {
			queue.add(status);
		}
	}

	synchronized List<Received> received(String path) {
		return received.stream().filter(r -> r.path().equals(path)).toList();
	}

	/** Waits on the test's thread until {@code count} requests to the path have arrived. */
	synchronized List<Received> await(String path, int count, Duration timeout) {
		return await(path, list -> list.size() >= count, timeout);
	}

	synchronized List<Received> await(String path, Predicate<List<Received>> condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.test(received(path))) {
			long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			if (left <= 0) {
				throw new AssertionError(
						"Requests to " + path + " did not arrive in " + timeout + ": " + received(path));
			}
			try {
				wait(left);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		return received(path);
	}

	@Override
	public void close() {
		server.stop(0);
		executor.shutdownNow();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			byte[] body = exchange.getRequestBody().readAllBytes();
			String path = exchange.getRequestURI().getPath();
			int status;
			synchronized (this) {
				Integer next = scripted.getOrDefault(path, new ArrayDeque<>()).poll();
				status = next != null ? next : 200;
				received.add(new Received(exchange.getRequestMethod(), path,
						exchange.getRequestHeaders().getFirst("Content-Type"), body, status));
				notifyAll();
			}
			exchange.sendResponseHeaders(status, -1);
		}
	}
}
