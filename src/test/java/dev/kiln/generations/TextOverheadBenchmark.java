package dev.kiln.generations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import dev.kiln.providers.vertex.Gemini;
import dev.kiln.providers.vertex.TextRequest;
import dev.kiln.testing.runpod.RunpodEmulator;
import dev.kiln.testing.vertex.VertexEmulator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Kiln's added latency per text generation: the same prompt sent by {@code clients} concurrent
 * closed-loop clients straight to the Vertex emulator's {@code :generateContent}, and through
 * {@code POST /v1/generations} (authentication, rate limits, hold, job, the google-genai call on its
 * thread pool, post, answer), and through a bare pass-through proxy (Reactor Netty, no logic: it
 * forwards the request to the emulator and the answer back): what one more hop costs in this JVM before
 * any of Kiln's work. Phases run direct, proxy, Kiln, twice, after a warm-up of each, so drift favours
 * none. With {@code emulator-delay-ms} the emulator answers after that long (as a real model does), so
 * the clients no longer saturate the machine and "added" is the length of Kiln's own path rather than
 * queueing for CPU. One JVM; usage:
 * loadtest/text-overhead-benchmark.sh [clients] [seconds per phase] [warm-up seconds] [emulator-delay-ms].
 */
public final class TextOverheadBenchmark {

	private static final String PROMPT = "Describe a porcelain kiln at dawn in a few words";

	public static void main(String[] args) throws Exception {
		int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
		int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
		// the JIT needs tens of thousands of requests before Kiln's deep reactive stacks are compiled by C2
		int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 10;
		Duration emulatorDelay = Duration.ofMillis(args.length > 3 ? Long.parseLong(args[3]) : 0);
		BenchmarkKiln kiln = BenchmarkKiln.start("TextOverheadBenchmark", RunpodEmulator.start(),
				Map.of("kiln.vertex.location", "europe-west4"));
		VertexEmulator vertex = kiln.vertex;
		kiln.runAndExit(() -> {
			String base = kiln.base;
			HttpClient http = HttpClient.create(ConnectionProvider.builder("bench").maxConnections(clients * 2).build());
			List<String> tokens = kiln.users(clients, 100_000_000L);
			String direct = vertex.baseUrl() + "/v1beta1/projects/kiln-bench/locations/europe-west4/publishers/google/models/"
					+ "gemini-2.5-flash:generateContent";
			String directBody = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + PROMPT + "\"}]}],"
					+ "\"generationConfig\":{\"temperature\":0.7,\"maxOutputTokens\":8192}}";
			String kilnBody = "{\"kind\":\"text\",\"prompt\":\"" + PROMPT + "\",\"temperature\":0.7}";
			Function<String, Function<Integer, Mono<Integer>>> toEmulatorAt = uri -> client -> http
				.headers(h -> h.add("Authorization", "Bearer " + vertex.accessToken()).add("Content-Type", "application/json"))
				.post().uri(uri).send(body(directBody))
				.responseSingle((response, content) -> content.then(Mono.just(response.status().code())));
			Function<Integer, Mono<Integer>> toVertex = toEmulatorAt.apply(direct);
			DisposableServer proxy = PassThroughProxy.start(http, vertex.baseUrl());
			Function<Integer, Mono<Integer>> toProxy = toEmulatorAt
				.apply("http://127.0.0.1:" + proxy.port() + direct.substring(vertex.baseUrl().length()));
			Function<Integer, Mono<Integer>> toKiln = client -> http.headers(h -> h.add("Authorization", "Bearer " + tokens.get(client))
				.add("Content-Type", "application/json").add("Idempotency-Key", "bench-" + UUID.randomUUID()))
				.post().uri(base + "/v1/generations").send(body(kilnBody))
				.responseSingle((response, content) -> content.then(Mono.just(response.status().code())));
			Gemini gemini = kiln.context.getBean(Gemini.class);
			Function<Integer, Mono<Integer>> toFacade = client -> gemini.text(TextRequest.of(PROMPT, 0.7)).thenReturn(200);
			// the emulator and the facade are small and reach C2 in seconds; Kiln's path needs the long warm-up
			int shortWarmUp = Math.min(warmUp, 20);
			List<Long> facadeMicros = run(toFacade, clients, shortWarmUp);
			facadeMicros = run(toFacade, clients, seconds);
			Collections.sort(facadeMicros);
			System.out.println("facade only (google-genai on its threads, no HTTP in front, no ledger): p50 "
					+ ms(facadeMicros, 50) + " p99 " + ms(facadeMicros, 99) + " n=" + facadeMicros.size());
			run(toVertex, clients, shortWarmUp);
			run(toProxy, clients, shortWarmUp);
			run(toKiln, clients, warmUp);
			// warmed up at full speed: at a model's pace the warm-up would take hours of requests
			vertex.slow(emulatorDelay);
			List<Long> directMicros = new ArrayList<>();
			List<Long> proxyMicros = new ArrayList<>();
			List<Long> kilnMicros = new ArrayList<>();
			for (int round = 0; round < 2; round++) {
				List<Long> straight = run(toVertex, clients, seconds);
				List<Long> viaProxy = run(toProxy, clients, seconds);
				List<Long> viaKiln = run(toKiln, clients, seconds);
				directMicros.addAll(straight);
				proxyMicros.addAll(viaProxy);
				kilnMicros.addAll(viaKiln);
				Collections.sort(straight);
				Collections.sort(viaProxy);
				Collections.sort(viaKiln);
				System.out.println("round " + (round + 1) + ": direct p50 " + ms(straight, 50) + " p99 " + ms(straight, 99) + ", proxy p50 "
						+ ms(viaProxy, 50) + " p99 " + ms(viaProxy, 99) + ", Kiln p50 " + ms(viaKiln, 50) + " p99 " + ms(viaKiln, 99)
						+ " n=" + viaKiln.size());
			}
			proxy.disposeNow();
			Collections.sort(directMicros);
			Collections.sort(proxyMicros);
			Collections.sort(kilnMicros);
			String report = String.format(Locale.ROOT, """
					| path | requests | p50 | p99 |
					|---|---|---|---|
					| client → Vertex emulator | %d | %s | %s |
					| client → pass-through proxy → Vertex emulator | %d | %s | %s |
					| client → Kiln → Vertex emulator | %d | %s | %s |
					| added by the pass-through proxy | | %s | %s |
					| added by Kiln | | %s | %s |

					%d concurrent closed-loop clients, 2 × %d s per path after %d s of warm-up of Kiln's path; the emulator
					answers after %d ms; %d cores, %s.
					""", directMicros.size(), ms(directMicros, 50), ms(directMicros, 99), proxyMicros.size(), ms(proxyMicros, 50),
					ms(proxyMicros, 99), kilnMicros.size(), ms(kilnMicros, 50), ms(kilnMicros, 99), diff(proxyMicros, directMicros, 50),
					diff(proxyMicros, directMicros, 99), diff(kilnMicros, directMicros, 50), diff(kilnMicros, directMicros, 99), clients,
					seconds, warmUp, emulatorDelay.toMillis(), Runtime.getRuntime().availableProcessors(),
					System.getProperty("java.vm.name") + " " + Runtime.version());
			BenchmarkKiln.report("text-overhead.md", report);
		});
	}

	private static ByteBufFlux body(String text) {
		return ByteBufFlux.fromString(Mono.just(text));
	}

	/** Latencies in microseconds of every request {@code clients} closed loops complete in {@code seconds}; failures throw. */
	private static List<Long> run(Function<Integer, Mono<Integer>> call, int clients, int seconds) {
		long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
		return Flux.range(0, clients)
			.flatMap(client -> Mono.defer(() -> {
				long start = System.nanoTime();
				return call.apply(client).map(code -> {
					if (code != 200) {
						throw new IllegalStateException("answered " + code);
					}
					return (System.nanoTime() - start) / 1000;
				});
			}).repeat(() -> System.nanoTime() < end), clients)
			.collectList()
			.block();
	}

	private static String ms(List<Long> sorted, int percentile) {
		return String.format(Locale.ROOT, "%.2f ms", at(sorted, percentile) / 1000.0);
	}

	private static String diff(List<Long> kiln, List<Long> direct, int percentile) {
		return String.format(Locale.ROOT, "%.2f ms", (at(kiln, percentile) - at(direct, percentile)) / 1000.0);
	}

	private static long at(List<Long> sorted, int percentile) {
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1)));
	}
}
