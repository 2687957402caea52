package dev.kiln.testing.runpod;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.testing.JsonTrees;
import dev.kiln.testing.LoopbackHttpServer;

/**
 * The HTTP face of the emulator: RunPod Serverless's queue-based operations under
 * {@code /v2/{endpointId}/}, authenticated by the API key, answering JSON with an {@code error} field
 * for every refusal. Runs on its own executor.
 */
final class RunpodHttpServer implements AutoCloseable {

	private static final Pattern PATH = Pattern.compile("/v2/([^/]+)/(run|status|cancel|health)(?:/([^/]+))?/?");

	private final LoopbackHttpServer http;

	private final String apiKey;

	private final JobStore store;

	private final Faults faults;

	private final SimulatedWorker worker;

	RunpodHttpServer(HttpServer server, ExecutorService executor, String apiKey, JobStore store, Faults faults,
			SimulatedWorker worker) {
		this.apiKey = apiKey;
		this.store = store;
		this.faults = faults;
		this.worker = worker;
		this.http = new LoopbackHttpServer(server, executor, this::handle);
	}

	@Override
	public void close() {
		http.close();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			Instant receivedAt = store.now();
			byte[] body = exchange.getRequestBody().readAllBytes();
			Duration slow = faults.slow();
			if (!slow.isZero()) {
				sleep(slow);
			}
			try {
				route(exchange, body, receivedAt);
			}
			catch (IllegalArgumentException ex) {
				respond(exchange, 400, JsonTrees.object("error", ex.getMessage()));
			}
			catch (RuntimeException ex) {
				respond(exchange, 500, JsonTrees.object("error", "The RunPod emulator failed: " + ex));
			}
		}
	}

	private void route(HttpExchange exchange, byte[] body, Instant receivedAt) throws IOException {
		if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
			respond(exchange, 401, JsonTrees.object("error", "Unauthorized: missing or invalid API key"));
			return;
		}
		String method = exchange.getRequestMethod();
		Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
		if (!path.matches() || !store.hasEndpoint(path.group(1))) {
			respond(exchange, 404, JsonTrees.object("error", "Not found: " + method + " " + exchange.getRequestURI()));
			return;
		}
		String endpointId = path.group(1);
		String operation = path.group(2);
		String jobId = path.group(3);
		boolean wantsJob = operation.equals("status") || operation.equals("cancel");
		String expected = operation.equals("status") || operation.equals("health") ? "GET" : "POST";
		if (wantsJob != (jobId != null)) {
			respond(exchange, 404, JsonTrees.object("error", "Not found: " + method + " " + exchange.getRequestURI()));
		}
		else if (!expected.equals(method)) {
			exchange.getResponseHeaders().set("Allow", expected);
			respond(exchange, 405, JsonTrees.object("error", "Method not allowed: " + method + " /" + operation));
		}
		else if (operation.equals("run")) {
			run(exchange, endpointId, body, receivedAt);
		}
		else if (operation.equals("health")) {
			respond(exchange, 200, store.health(endpointId));
		}
		else {
			Job job = store.find(endpointId, jobId);
			if (job == null) {
				respond(exchange, 404, JsonTrees.object("error", "request does not exist"));
			}
			else if (operation.equals("status")) {
				respond(exchange, 200, store.status(job));
			}
			else {
				respond(exchange, 200, JsonTrees.object("id", job.id, "status", store.cancel(job, receivedAt).name()));
			}
		}
	}

	private void run(HttpExchange exchange, String endpointId, byte[] body, Instant receivedAt) throws IOException {
		int failure = faults.takeRunFailure();
		if (failure != 0) {
			respond(exchange, failure, JsonTrees.object("error", failure == 429
					? "Too Many Requests: the endpoint's queue is full, retry with backoff" : reason(failure)));
			return;
		}
		Map<String, Object> request = JsonTrees.readObject(body);
		if (request == null) {
			throw new IllegalArgumentException("The request body must be a JSON object");
		}
		if (!(request.get("input") instanceof Map<?, ?>)) {
			throw new IllegalArgumentException("'input' is required and must be a JSON object");
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> input = Collections.unmodifiableMap((Map<String, Object>) request.get("input"));
		URI webhook = null;
		if (request.get("webhook") instanceof String url) {
			webhook = Loopback.require(url, "webhook");
		}
		else if (request.get("webhook") != null) {
			throw new IllegalArgumentException("'webhook' must be a URL string");
		}
		if (request.get("policy") != null && !(request.get("policy") instanceof Map<?, ?>)) {
			throw new IllegalArgumentException("'policy' must be a JSON object");
		}
		Map<?, ?> policy = request.get("policy") instanceof Map<?, ?> map ? map : Map.of();
		Duration executionTimeout = millis(policy, "executionTimeout", Timings.EXECUTION_TIMEOUT);
		Duration ttl = millis(policy, "ttl", Timings.TTL);
		WorkerInput work = WorkerInput.read(input);
		Job job = new Job(Ids.jobId(), endpointId, input, webhook, executionTimeout, ttl, receivedAt, faults.plan(),
				work);
		store.add(job);
		worker.accept(job);
		respond(exchange, 200, JsonTrees.object("id", job.id, "status", JobStatus.IN_QUEUE.name()));
	}

	private static Duration millis(Map<?, ?> policy, String key, Duration otherwise) {
		Object value = policy.get(key);
		if (value == null) {
			return otherwise;
		}
		if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() <= 0) {
			throw new IllegalArgumentException("'policy." + key + "' must be a positive number of milliseconds");
		}
		return Duration.ofMillis(((Number) value).longValue());
	}

	// RunPod's examples send the key bare as well as after "Bearer "; both work there, so both work here.
	private boolean authorized(String authorization) {
		if (authorization == null) {
			return false;
		}
		String presented = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7)
				: authorization;
		return apiKey.equals(presented.trim());
	}

	private static String reason(int status) {
		return switch (status) {
			case 500 -> "Internal Server Error";
			case 502 -> "Bad Gateway";
			case 503 -> "Service Unavailable";
			case 504 -> "Gateway Timeout";
			default -> "HTTP " + status;
		};
	}

	private static void sleep(Duration delay) {
		try {
			Thread.sleep(delay);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void respond(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
		byte[] bytes = JsonTrees.write(body).getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
	}
}
