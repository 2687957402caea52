package dev.kiln.generations;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The client side of the stream benchmark, in a JVM of its own: opens the streams that
 * {@link StreamBenchmark} asked for (spread evenly over its users), and for every event measures the
 * time from the job change's commit ({@code at}, PostgreSQL's clock on this machine) to its arrival
 * here. Events that arrive before the server says "go" (the initial states) are not measured.
 */
public final class StreamBenchmarkClient {

	public static void main(String[] args) throws Exception {
		Path dir = Path.of("target", "benchmark");
		Path setupFile = dir.resolve("streams-setup.properties");
		while (!Files.exists(setupFile)) {
			Thread.sleep(500);
		}
		Thread.sleep(500);
		Properties setup = new Properties();
		try (var in = Files.newInputStream(setupFile)) {
			setup.load(in);
		}
		int streams = Integer.parseInt(setup.getProperty("streams"));
		List<String> tokens = new ArrayList<>();
		for (int i = 0; setup.getProperty("token." + i) != null; i++) {
			tokens.add(setup.getProperty("token." + i));
		}
		HttpClient http = HttpClient.create(ConnectionProvider.builder("streams").maxConnections(streams + 10)
			.pendingAcquireMaxCount(-1).build())
			.runOn(LoopResources.create("bench-client", 2, true))
			.baseUrl(setup.getProperty("base"));
		ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
		AtomicLong measuring = new AtomicLong(Long.MAX_VALUE);
		AtomicInteger events = new AtomicInteger();
		AtomicInteger failed = new AtomicInteger();
		List<Disposable> open = new ArrayList<>();
		for (int i = 0; i < streams; i++) {
			String token = tokens.get(i % tokens.size());
			StringBuilder buffer = new StringBuilder();
			open.add(http.headers(headers -> headers.add("Authorization", "Bearer " + token).add("Accept", "text/event-stream"))
				.get().uri("/v1/generations/events")
				.responseContent().asString()
				.subscribe(chunk -> {
					buffer.append(chunk);
					int end;
					while ((end = buffer.indexOf("\n\n")) >= 0) {
						String event = buffer.substring(0, end);
						buffer.delete(0, end + 2);
						long at = committedAt(event);
						if (at > 0) {
							events.incrementAndGet();
							long now = nowMicros();
							if (now >= measuring.get()) {
								latencies.add(now - at);
							}
						}
					}
				}, error -> failed.incrementAndGet()));
			if (i % 500 == 499) {
				Thread.sleep(250); // a ramp, not a SYN flood
			}
		}
		Path go = dir.resolve("streams-go");
		while (!Files.exists(go)) {
			Thread.sleep(200);
		}
		measuring.set(nowMicros());
		Path done = dir.resolve("streams-done");
		while (!Files.exists(done)) {
			Thread.sleep(200);
		}
		Thread.sleep(3_000);
		int committed = Integer.parseInt(Files.readString(done).strip());
		List<Long> sorted = new ArrayList<>(latencies);
		Collections.sort(sorted);
		String report = String.format(Locale.ROOT, """
				client: %d streams, %d failed; %d events received, %d of them after "go" (expected %d: %d changes × %d streams per user)
				commit → client: p50 %s, p99 %s, max %s
				""", streams, failed.get(), events.get(), sorted.size(), (long) committed * (streams / tokens.size()),
				committed, streams / tokens.size(), ms(sorted, 50), ms(sorted, 99), ms(sorted, 100));
		Files.writeString(dir.resolve("streams-client.txt"), report);
		System.out.println(report);
		open.forEach(Disposable::dispose);
		System.exit(0);
	}

	/** The {@code at} of a status event's data, in epoch microseconds; 0 for comments and other events. */
	private static long committedAt(String event) {
		if (!event.contains("event:status") && !event.contains("event: status")) {
			return 0;
		}
		int start = event.indexOf("\"at\":\"");
		if (start < 0) {
			return 0;
		}
		start += 6;
		Instant at = Instant.parse(event.substring(start, event.indexOf('"', start)));
		return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
	}

	private static long nowMicros() {
		Instant now = Instant.now();
		return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
	}

	private static String ms(List<Long> micros, int percentile) {
		if (micros.isEmpty()) {
			return "n/a";
		}
		int index = Math.min(micros.size() - 1, (int) Math.ceil(percentile / 100.0 * micros.size()) - 1);
		return String.format(Locale.ROOT, "%.1f ms", micros.get(Math.max(0, index)) / 1000.0);
	}
}
