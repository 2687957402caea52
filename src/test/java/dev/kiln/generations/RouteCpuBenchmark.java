package dev.kiln.generations;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

import dev.kiln.testing.runpod.RunpodEmulator;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.SmartLifecycle;

/**
 * CPU per request, route by route, so the cost of each layer shows as a difference: one closed-loop client
 * (so the figure is cost, not queueing) per route, after a warm-up of that route, and the JVM's process CPU
 * over the run, as it is and less its idle rate measured just before (which, right after a warm-up, may
 * still hold the JIT's work on that route: so both are given), divided by the requests answered. The
 * routes go from a bare exchange with the Vertex emulator, through a route with no Redis or PostgreSQL behind it, one
 * behind the address limit only, authenticated reads, to a video admission (the relay and the dispatcher
 * stopped, so only the HTTP admission counts) and a text generation. Everything in this JVM counts (Kiln,
 * the emulators, the client, the in-process Kafka and S3), PostgreSQL and Redis do not. Usage:
 * {@code loadtest/route-cpu-benchmark.sh [warm-up seconds] [seconds]}; writes target/benchmark/route-cpu.md.
 */
public final class RouteCpuBenchmark {

	public static void main(String[] args) throws Exception {
		int warm = args.length > 0 ? Integer.parseInt(args[0]) : 25;
		int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
		RunpodEmulator runpod = RunpodEmulator.start();
		runpod.holdJobs(true);
		BenchmarkKiln kiln = BenchmarkKiln.start("RouteCpuBenchmark", runpod,
				Map.of("kiln.vertex.location", "europe-west4", "kiln.generations.video.dispatcher-enabled", "false"));
		kiln.context.getBean("outboxRelay", SmartLifecycle.class).stop();
		kiln.runAndExit(() -> {
			String token = kiln.users(1, 1_000_000_000L).getFirst();
			HttpClient http = HttpClient.create();
			HttpClient user = http.headers(h -> h.add("Authorization", "Bearer " + token));
			String direct = kiln.vertex.baseUrl() + "/v1beta1/projects/kiln-bench/locations/europe-west4/publishers/google/models/"
					+ "gemini-2.5-flash:generateContent";
			String directBody = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hello\"}]}],"
					+ "\"generationConfig\":{\"temperature\":0.7,\"maxOutputTokens\":8192}}";
			Map<String, Supplier<Mono<Integer>>> routes = new LinkedHashMap<>();
			routes.put("emulator direct", () -> call(http.headers(h -> h.add("Authorization", "Bearer " + kiln.vertex.accessToken())
				.add("Content-Type", "application/json")).post().uri(direct).send(json(directBody))));
			routes.put("GET /actuator/info", () -> call(http.get().uri(kiln.base + "/actuator/info")));
			routes.put("401 no credential", () -> call(http.get().uri(kiln.base + "/v1/credits")));
			routes.put("GET /v1/packages", () -> call(http.get().uri(kiln.base + "/v1/packages")));
			routes.put("GET /v1/credits", () -> call(user.get().uri(kiln.base + "/v1/credits")));
			routes.put("GET /v1/generations?limit=1", () -> call(user.get().uri(kiln.base + "/v1/generations?limit=1")));
			routes.put("POST video", () -> call(generation(user, kiln.base,
					"{\"kind\":\"video\",\"workflow\":\"text-to-video\",\"prompt\":\"a fox\",\"parameters\":{\"duration_seconds\":30}}")));
			routes.put("POST text", () -> call(generation(user, kiln.base, "{\"kind\":\"text\",\"prompt\":\"hello\",\"temperature\":0.7}")));
			StringBuilder out = new StringBuilder("| route | answers | requests/s | wall per request | process CPU per request "
					+ "| the same, less idle |\n|---|---|---|---|---|---|\n");
			// -Dbench.routes=a,b runs only the routes whose names contain one of these
			List<String> only = Arrays.stream(System.getProperty("bench.routes", "").split(","))
				.filter(name -> !name.isBlank())
				.toList();
			routes.keySet().removeIf(name -> !only.isEmpty() && only.stream().noneMatch(name::contains));
			for (var route : routes.entrySet()) {
				loop(route.getValue(), warm);
				long idle0 = BenchmarkKiln.processCpuNanos();
				Thread.sleep(2000);
				double idlePerSec = (BenchmarkKiln.processCpuNanos() - idle0) / 2.0;
				long c0 = BenchmarkKiln.processCpuNanos();
				long w0 = System.nanoTime();
				Map<Integer, Long> answers = loop(route.getValue(), seconds);
				long n = answers.values().stream().mapToLong(Long::longValue).sum();
				double wall = (System.nanoTime() - w0) / 1e9;
				double raw = BenchmarkKiln.processCpuNanos() - c0;
				double cpu = raw - idlePerSec * wall;
				String line = String.format(Locale.ROOT, "| %s | %s | %.0f | %.3f ms | %.3f ms | %.3f ms |%n", route.getKey(), answers,
						n / wall, wall * 1000 / n, raw / 1e6 / n, cpu / 1e6 / n);
				System.out.print(line);
				out.append(line);
			}
			out.append(String.format(Locale.ROOT, "%nOne closed-loop client per route, %d s after %d s of warm-up; %d cores, %s.%n",
					seconds, warm, Runtime.getRuntime().availableProcessors(),
					System.getProperty("java.vm.name") + " " + Runtime.version()));
			BenchmarkKiln.report("route-cpu.md", out.toString());
		});
	}

	private static HttpClient.ResponseReceiver<?> generation(HttpClient user, String base, String body) {
		return user.headers(h -> h.add("Content-Type", "application/json").add("Idempotency-Key", "b-" + UUID.randomUUID()))
			.post()
			.uri(base + "/v1/generations")
			.send(json(body));
	}

	private static ByteBufFlux json(String body) {
		return ByteBufFlux.fromString(Mono.just(body));
	}

	/** The status of the answer; a 5xx fails the run (a 4xx is the route's answer: the 401 route is meant to get one). */
	private static Mono<Integer> call(HttpClient.ResponseReceiver<?> receiver) {
		return receiver.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map(text -> {
			int code = response.status().code();
			if (code >= 500) {
				throw new IllegalStateException(code + " " + text);
			}
			return code;
		}));
	}

	/** The answers one closed loop gets in {@code seconds}, counted by status. */
	private static Map<Integer, Long> loop(Supplier<Mono<Integer>> call, int seconds) {
		long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
		Map<Integer, Long> answers = new TreeMap<>();
		Mono.defer(call).doOnNext(code -> answers.merge(code, 1L, Long::sum)).repeat(() -> System.nanoTime() < end).blockLast();
		return answers;
	}

	private RouteCpuBenchmark() {
	}
}
