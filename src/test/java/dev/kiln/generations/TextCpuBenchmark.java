package dev.kiln.generations;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.kiln.testing.runpod.RunpodEmulator;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * CPU per text generation: one closed-loop client (so the figure is cost, not queueing) sends
 * {@code POST /v1/generations} ({@code kind: text}, temperature 0.7, a new Idempotency-Key each) after a
 * warm-up, and the JVM's process CPU time over the run, less its idle rate measured just before, is
 * divided by the generations completed. Everything in this JVM counts (Kiln, the Vertex emulator, the
 * client, the in-process Kafka and S3), PostgreSQL and Redis do not. Usage:
 * {@code loadtest/text-cpu-benchmark.sh [warm-up seconds] [seconds]}; writes target/benchmark/text-cpu.md.
 */
public final class TextCpuBenchmark {

	private static final String BODY = "{\"kind\":\"text\",\"prompt\":\"Describe a porcelain kiln at dawn in a few words\","
			+ "\"temperature\":0.7}";

	public static void main(String[] args) throws Exception {
		int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 40;
		int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
		BenchmarkKiln kiln = BenchmarkKiln.start("TextCpuBenchmark", RunpodEmulator.start(),
				Map.of("kiln.vertex.location", "europe-west4"));
		kiln.runAndExit(() -> {
			String token = kiln.users(1, 100_000_000L).getFirst();
			HttpClient http = HttpClient.create();
			generate(http, kiln.base, token, warmUp);
			long idleStart = BenchmarkKiln.processCpuNanos();
			Thread.sleep(5_000);
			double idleNanosPerSecond = (BenchmarkKiln.processCpuNanos() - idleStart) / 5.0;
			long cpuStart = BenchmarkKiln.processCpuNanos();
			long wallStart = System.nanoTime();
			long generations = generate(http, kiln.base, token, seconds);
			double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
			double busyNanos = BenchmarkKiln.processCpuNanos() - cpuStart - idleNanosPerSecond * wallSeconds;
			String report = String.format(Locale.ROOT, """
					| generations | per second | wall per generation | process CPU per generation | idle CPU |
					|---|---|---|---|---|
					| %d | %.1f | %.2f ms | %.2f ms | %.1f ms/s |

					One closed-loop client, %d s after %d s of warm-up; %d cores, %s.
					""", generations, generations / wallSeconds, wallSeconds * 1000 / generations, busyNanos / 1e6 / generations,
					idleNanosPerSecond / 1e6, seconds, warmUp, Runtime.getRuntime().availableProcessors(),
					System.getProperty("java.vm.name") + " " + Runtime.version());
			BenchmarkKiln.report("text-cpu.md", report);
		});
	}

	/** Generations completed by one closed loop in {@code seconds}; anything but 200 fails the run. */
	private static long generate(HttpClient http, String base, String token, int seconds) {
		long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
		AtomicLong done = new AtomicLong();
		Mono.defer(() -> http.headers(headers -> headers.add("Authorization", "Bearer " + token)
				.add("Content-Type", "application/json")
				.add("Idempotency-Key", "bench-" + UUID.randomUUID()))
			.post()
			.uri(base + "/v1/generations")
			.send(ByteBufFlux.fromString(Mono.just(BODY)))
			.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map(text -> {
				if (response.status().code() != 200) {
					throw new IllegalStateException("answered " + response.status() + ": " + text);
				}
				return done.incrementAndGet();
			})))
			.repeat(() -> System.nanoTime() < end)
			.blockLast();
		return done.get();
	}

	private TextCpuBenchmark() {
	}
}
