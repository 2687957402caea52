package dev.kiln.testing.vertex;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.testing.JsonTrees;
import dev.kiln.testing.LoopbackHttpServer;

/**
 * The HTTP face of the emulator: a publisher model's {@code :generateContent},
 * {@code :streamGenerateContent} and (Imagen's) {@code :predict} under
 * {@code /{v1|v1beta1}/projects/{p}/locations/{l}/}, authenticated by the access token, refusing in
 * Google's error format. Runs on its own executor.
 */
final class VertexHttpServer implements AutoCloseable {

	private static final Pattern PATH = Pattern.compile("/(v1|v1beta1)/projects/([^/]+)/locations/([^/]+)"
			+ "/publishers/([^/]+)/models/([^/:]+):(generateContent|streamGenerateContent|predict)");

	private final LoopbackHttpServer http;

	private final String accessToken;

	private final Faults faults;

	private final Clock clock;

	private final Consumer<VertexRequest> log;

	VertexHttpServer(HttpServer server, ExecutorService executor, String accessToken, Faults faults, Clock clock,
			Consumer<VertexRequest> log) {
		this.accessToken = accessToken;
		this.faults = faults;
		this.clock = clock;
		this.log = log;
		this.http = new LoopbackHttpServer(server, executor, this::handle);
	}

	@Override
	public void close() {
		http.close();
	}

	private void handle(HttpExchange exchange) throws IOException {
		Instant receivedAt = clock.instant();
		String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
		try {
			route(exchange, body, receivedAt);
		}
		catch (StreamCut cut) {
			// The exchange stays open: the server drops the connection, so the closing chunk never goes out.
			throw cut;
		}
		catch (RuntimeException ex) {
			respond(exchange, 500, Errors.body(500, "The Vertex AI emulator failed: " + ex));
		}
		exchange.close();
	}

	private void route(HttpExchange exchange, String body, Instant receivedAt) throws IOException {
		Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
		if (!path.matches() || !exchange.getRequestMethod().equals("POST")) {
			respond(exchange, 404, Errors.body(404, "The requested URL " + exchange.getRequestURI().getPath()
					+ " was not found on this server."));
			return;
		}
		String location = path.group(3);
		String model = path.group(5);
		String operation = path.group(6);
		// Recorded as soon as the answer is decided, then held back when slow: a client that gives up
		// still finds its request in the log.
		Consumer<Integer> record = status -> {
			log.accept(new VertexRequest(receivedAt, path.group(1), path.group(2), location, path.group(4), model,
					operation, body, Headers.redacted(exchange), status));
			sleep(faults.slow());
		};
		if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
			record.accept(401);
			exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
			respond(exchange, 401, Errors.body(401));
			return;
		}
		Faults.Failure failure = faults.failureFor(model, location);
		if (failure != null) {
			record.accept(failure.status());
			if (failure.retryAfter() != null && failure.inBody()) {
				respond(exchange, failure.status(), Errors.body(failure.status(), failure.retryAfter()));
				return;
			}
			if (failure.retryAfter() != null) {
				long seconds = (failure.retryAfter().toMillis() + 999) / 1000;
				exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
			}
			respond(exchange, failure.status(), Errors.body(failure.status()));
			return;
		}
		if (operation.equals("predict")) {
			ImagenReplies.Reply reply = ImagenReplies.answer(model, body, faults);
			record.accept(reply.status());
			respond(exchange, reply.status(), reply.body());
			return;
		}
		Prompt prompt;
		try {
			prompt = Prompt.read(JsonTrees.readObject(body));
		}
		catch (IllegalArgumentException ex) {
			record.accept(400);
			respond(exchange, 400, Errors.body(400, ex.getMessage()));
			return;
		}
		record.accept(200);
		Replies replies = new Replies(model, prompt, Headers.responseId(), clock.instant());
		boolean blocked = faults.blocksPrompt(prompt.text());
		if (operation.equals("generateContent")) {
			respond(exchange, 200, blocked ? replies.promptBlocked() : replies.whole(faults.blockAnswers()));
			return;
		}
		List<Map<String, Object>> chunks = blocked ? List.of(replies.promptBlocked())
				: replies.chunks(faults.blockAnswers());
		if ("alt=sse".equals(exchange.getRequestURI().getQuery())) {
			stream(exchange, chunks);
		}
		else {
			// Without alt=sse Vertex answers the whole stream at once, as a JSON array of the chunks.
			respond(exchange, 200, chunks);
		}
	}

	/** Sends the chunks as server-sent events; a cut leaves out at least the last one, then drops the line. */
	private void stream(HttpExchange exchange, List<Map<String, Object>> chunks) throws IOException {
		int cutAfter = faults.cutAfter();
		int sent = cutAfter < 0 ? chunks.size() : Math.min(cutAfter, chunks.size() - 1);
		exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
		exchange.sendResponseHeaders(200, 0);
		OutputStream out = exchange.getResponseBody();
		for (int i = 0; i < sent; i++) {
			if (i > 0) {
				sleep(faults.chunkDelay());
			}
			out.write(("data: " + JsonTrees.write(chunks.get(i)) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
		}
		if (sent < chunks.size()) {
			throw new StreamCut(sent);
		}
	}

	private boolean authorized(String authorization) {
		return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
				&& accessToken.equals(authorization.substring(7).trim());
	}

	private static void sleep(Duration delay) {
		if (delay.isZero()) {
			return;
		}
		try {
			Thread.sleep(delay);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
		byte[] bytes = JsonTrees.write(body).getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
	}

	/** Thrown to drop a streaming connection mid-answer. */
	static final class StreamCut extends IOException {

		StreamCut(int sent) {
			super("Stream cut by the Vertex AI emulator after " + sent + " chunk(s)");
		}
	}
}
