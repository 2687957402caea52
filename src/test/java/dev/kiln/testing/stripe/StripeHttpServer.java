package dev.kiln.testing.stripe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import com.stripe.Stripe;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The HTTP face of the emulator: authenticates {@code /v1} requests by their secret key (Bearer, or
 * Basic with the key as user name), decodes form parameters, applies idempotency keys, and renders
 * objects and errors as JSON. Other paths are the hosted pages. Runs on its own executor.
 */
final class StripeHttpServer implements AutoCloseable {

	/** A POST's saved result, replayed to a retry with the same key and parameters. */
	private record Saved(List<String> fingerprint, int status, String body, String requestId) {
	}

	private final HttpServer server;

	private final ExecutorService executor;

	private final String apiKey;

	private final StripeStore store;

	private final ApiRoutes routes;

	private final HostedPages pages;

	// Guarded by the store's lock, like everything a request changes.
	private final Map<String, Saved> idempotencyKeys = new HashMap<>();

	StripeHttpServer(HttpServer server, ExecutorService executor, String apiKey, StripeStore store, ApiRoutes routes,
			HostedPages pages) {
		this.server = server;
		this.executor = executor;
		this.apiKey = apiKey;
		this.store = store;
		this.routes = routes;
		this.pages = pages;
		server.createContext("/", this::handle);
		server.setExecutor(executor);
		server.start();
	}

	@Override
	public void close() {
		server.stop(0);
		executor.shutdownNow();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			try {
				if (exchange.getRequestURI().getPath().startsWith("/v1/")) {
					api(exchange);
				}
				else {
					pages.handle(exchange);
				}
			}
			catch (RuntimeException ex) {
				respond(exchange, 500, Json.object("error", Json.object("type", "api_error", "message",
						"The Stripe emulator failed: " + ex)), Ids.next("req", 14));
			}
		}
	}

	private void api(HttpExchange exchange) throws IOException {
		String requestId = Ids.next("req", 14);
		String method = exchange.getRequestMethod();
		String path = exchange.getRequestURI().getPath();
		String authError = authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
		if (authError != null) {
			exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Stripe\"");
			respond(exchange, 401, Json.object("error", Json.object("message", authError, "type",
					"invalid_request_error")), requestId);
			return;
		}
		String query = exchange.getRequestURI().getRawQuery();
		String body = "POST".equals(method)
				? new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) : null;
		String key = "POST".equals(method) ? exchange.getRequestHeaders().getFirst("Idempotency-Key") : null;
		if (key != null) {
			exchange.getResponseHeaders().set("Idempotency-Key", key);
		}
		Saved result;
		try {
			ApiRoutes.Match match = routes.match(method, path);
			if (match == null) {
				throw new StripeApiException(404, "invalid_request_error", null, null, "Unrecognized request URL ("
						+ method + ": " + path + "). Please see https://stripe.com/docs or we can help at "
						+ "https://support.stripe.com/.");
			}
			Params params = Params.parse(query, body);
			ApiRoutes.rejectUnknown(match.route(), params);
			List<String> fingerprint = new ArrayList<>(List.of(method, path));
			fingerprint.addAll(Params.canonical(query, body));
			Origin origin = new Origin(requestId, key);
			result = store.atomically(() -> execute(match, params, origin, fingerprint));
		}
		catch (StripeApiException ex) {
			result = new Saved(null, ex.status(), Json.write(ex.body()), requestId);
		}
		if (!requestId.equals(result.requestId())) {
			exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
			exchange.getResponseHeaders().set("Original-Request", result.requestId());
		}
		respond(exchange, result.status(), result.body(), requestId);
	}

	// Runs under the store's lock, so a key's first use and its replays cannot interleave. As on Stripe,
	// a request that fails validation saves no result and its key stays free.
	private Saved execute(ApiRoutes.Match match, Params params, Origin origin, List<String> fingerprint) {
		String key = origin.idempotencyKey();
		if (key != null) {
			Saved saved = idempotencyKeys.get(key);
			if (saved != null) {
				if (!saved.fingerprint().equals(fingerprint)) {
					throw new StripeApiException(400, "idempotency_error", null, null,
							"Keys for idempotent requests can only be used with the same parameters they were first "
									+ "used with. Try using a key other than '" + key
									+ "' if you meant to execute a different request.");
				}
				return saved;
			}
		}
		Map<String, Object> object = match.route().handler().handle(match.ids(), params, origin);
		Saved result = new Saved(fingerprint, 200, Json.write(object), origin.requestId());
		if (key != null) {
			idempotencyKeys.put(key, result);
		}
		return result;
	}

	private String authenticate(String authorization) {
		if (authorization == null || authorization.isBlank()) {
			return "You did not provide an API key. You need to provide your API key in the Authorization header, "
					+ "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
					+ "https://stripe.com/docs/api#authentication for details, or we can help at "
					+ "https://support.stripe.com/.";
		}
		String presented = null;
		if (authorization.startsWith("Bearer ")) {
			presented = authorization.substring("Bearer ".length()).trim();
		}
		else if (authorization.startsWith("Basic ")) {
			try {
				String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
						StandardCharsets.UTF_8);
				presented = decoded.contains(":") ? decoded.substring(0, decoded.indexOf(':')) : decoded;
			}
			catch (IllegalArgumentException ex) {
				presented = "";
			}
		}
		if (apiKey.equals(presented)) {
			return null;
		}
		return "Invalid API Key provided: " + mask(presented == null ? authorization : presented);
	}

	// Stripe shows a key's prefix and last four characters only.
	private static String mask(String key) {
		int prefix = key.startsWith("sk_test_") ? 8 : Math.min(3, key.length());
		if (key.length() <= prefix + 4) {
			return "*".repeat(key.length());
		}
		return key.substring(0, prefix) + "*".repeat(key.length() - prefix - 4) + key.substring(key.length() - 4);
	}

	private static void respond(HttpExchange exchange, int status, Map<String, Object> body, String requestId)
			throws IOException {
		respond(exchange, status, Json.write(body), requestId);
	}

	private static void respond(HttpExchange exchange, int status, String json, String requestId) throws IOException {
		byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.getResponseHeaders().set("Request-Id", requestId);
		exchange.getResponseHeaders().set("Stripe-Version", Stripe.API_VERSION);
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
	}
}
