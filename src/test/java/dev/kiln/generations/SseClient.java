package dev.kiln.generations;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import tools.jackson.databind.json.JsonMapper;

/**
 * A real Server-Sent Events client over the JDK's HTTP client: it reads the stream as a browser's
 * {@code EventSource} would (fields {@code id}, {@code event}, {@code data}, {@code retry}, comments)
 * on a thread of its own, and hands out what it parsed. Closing it drops the connection.
 */
final class SseClient implements AutoCloseable {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Received END = new Received(null, null, null, null, null, Instant.MIN);

	final int status;

	final String contentType;

	private final InputStream body;

	private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

	private final List<Received> seen = new ArrayList<>();

	private boolean ended;

	private SseClient(HttpResponse<InputStream> response) {
		this.status = response.statusCode();
		this.contentType = response.headers().firstValue("Content-Type").orElse("");
		this.body = response.body();
		Thread.ofVirtual().name("sse-client").start(this::read);
	}

	static SseClient open(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
		headers.forEach(request::header);
		return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
	}

	/** POSTs {@code body} and reads the answer as a stream. */
	static SseClient post(URI uri, Map<String, String> headers, String body) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		headers.forEach(request::header);
		return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
	}

	/** The next event or comment, or null when the stream ended or nothing came in time. */
	Received next(Duration timeout) throws InterruptedException {
		if (ended) {
			return null;
		}
		Received next = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
		if (next == END) {
			ended = true;
			return null;
		}
		if (next != null) {
			seen.add(next);
		}
		return next;
	}

	/** Events (not comments) until one matches, that one included; fails if the stream ends or stalls first. */
	List<Received> eventsUntil(Predicate<Received> last, Duration timeout) throws InterruptedException {
		List<Received> events = new ArrayList<>();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Received next = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
			if (next == null) {
				throw new AssertionError("stream " + (ended ? "ended" : "stalled") + " before the expected event; got " + events);
			}
			if (next.isEvent()) {
				events.add(next);
				if (last.test(next)) {
					return events;
				}
			}
		}
	}

	/** Whether the server ended the stream within the timeout (comments before the end are skipped). */
	boolean endsWithin(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!ended && System.nanoTime() < deadline) {
			Received next = next(Duration.ofNanos(deadline - System.nanoTime()));
			if (next != null && next.isEvent()) {
				throw new AssertionError("expected the end of the stream, got " + next);
			}
		}
		return ended;
	}

	List<Received> seen() {
		return List.copyOf(seen);
	}

	private void read() {
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
			String id = null;
			String event = null;
			String retry = null;
			String comment = null;
			StringBuilder data = null;
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.isEmpty()) {
					if (id != null || event != null || data != null || retry != null || comment != null) {
						received.add(new Received(id, event, data == null ? null : data.toString(), retry, comment, Instant.now()));
					}
					id = event = retry = comment = null;
					data = null;
				}
				else if (line.startsWith(":")) {
					comment = line.substring(1).strip();
				}
				else {
					int colon = line.indexOf(':');
					String field = colon < 0 ? line : line.substring(0, colon);
					String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
					switch (field) {
						case "id" -> id = value;
						case "event" -> event = value;
						case "retry" -> retry = value;
						case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
						default -> {
						}
					}
				}
			}
		}
		catch (IOException closed) {
			// closed by the test, or by the server
		}
		finally {
			received.add(END);
		}
	}

	@Override
	public void close() throws IOException {
		body.close();
	}

	/** One event ({@code event} or {@code data} set) or comment ({@code comment} set), as it arrived. */
	record Received(String id, String event, String data, String retry, String comment, Instant at) {

		boolean isEvent() {
			return event != null || data != null;
		}

		@SuppressWarnings("unchecked")
		Map<String, Object> json() {
			return JSON.readValue(data, Map.class);
		}

		String status() {
			return (String) json().get("status");
		}

		int version() {
			return ((Number) json().get("version")).intValue();
		}
	}
}
