package dev.kiln.generations;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import dev.kiln.KilnApplication;
import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.Credits;
import dev.kiln.credits.IdempotencyKey;
import dev.kiln.credits.Movement;
import dev.kiln.testing.InProcessKafka;
import dev.kiln.testing.InProcessS3;
import dev.kiln.testing.Infrastructure;
import dev.kiln.testing.LocalServices;
import dev.kiln.testing.TestDatabases;
import dev.kiln.testing.runpod.RunpodEmulator;
import dev.kiln.testing.stripe.StripeEmulator;
import dev.kiln.providers.vertex.Gemini;
import dev.kiln.providers.vertex.TextRequest;
import dev.kiln.testing.vertex.VertexEmulator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Kiln's added latency per text generation: the same prompt sent by {@code clients} concurrent
 * closed-loop clients straight to the Vertex emulator's {@code :generateContent}, and through
 * {@code POST /v1/generations} (authentication, rate limits, hold, job, the google-genai call on its
 * thread pool, post, answer). Phases alternate direct, Kiln, direct, Kiln after a warm-up of each, so
 * drift favours neither. One JVM; usage: loadtest/text-overhead-benchmark.sh [clients] [seconds per phase].
 */
public final class TextOverheadBenchmark {

	private static final String PROMPT = "Describe a porcelain kiln at dawn in a few words";

	public static void main(String[] args) throws Exception {
		int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
		int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
		TestDatabases.TestDatabase database = TestDatabases.create("TextOverheadBenchmark");
		InProcessS3.Server s3 = InProcessS3.shared();
		Infrastructure infrastructure = new Infrastructure(database, LocalServices.redis(), 0,
				InProcessKafka.bootstrapServers(), s3, s3.createBucket("bench-text"));
		StripeEmulator stripe = StripeEmulator.start();
		RunpodEmulator runpod = RunpodEmulator.start();
		VertexEmulator vertex = VertexEmulator.start();
		Map<String, Object> properties = new LinkedHashMap<>(infrastructure.properties());
		properties.putAll(Map.of("kiln.payments.stripe.api-base", stripe.baseUrl(), "kiln.payments.stripe.secret-key",
				stripe.apiKey(), "kiln.payments.stripe.webhook-secret", stripe.webhookSecret(), "kiln.runpod.api-base",
				runpod.baseUrl(), "kiln.runpod.api-key", runpod.apiKey(), "server.port", "0",
				"kiln.generations.video.endpoint-id", runpod.endpointId(), "logging.level.dev.kiln", "warn",
				"kiln.vertex.base-url", vertex.baseUrl(), "kiln.vertex.access-token", vertex.accessToken()));
		properties.putAll(Map.of("kiln.vertex.project", "kiln-bench", "kiln.vertex.location", "europe-west4",
				"kiln.rate-limits.daily-generations.free", "100000000", "kiln.messaging.topic-prefix", "bench-" + UUID.randomUUID() + ".",
				"kiln.rate-limits.policies.api.capacity", "1000000", "kiln.rate-limits.policies.api.refill", "1000000",
				"kiln.generations.streams.channel", "bench-" + UUID.randomUUID()));
		ConfigurableApplicationContext kiln = SpringApplication.from(KilnApplication::main)
			.run(properties.entrySet().stream().map(entry -> "--" + entry.getKey() + "=" + entry.getValue()).toArray(String[]::new))
			.getApplicationContext();
		int status = 0;
		try {
			String base = "http://127.0.0.1:" + kiln.getEnvironment().getProperty("local.server.port");
			HttpClient http = HttpClient.create(ConnectionProvider.builder("bench").maxConnections(clients * 2).build());
			List<String> tokens = users(WebClient.create(base), kiln.getBean(CreditLedger.class), clients);
			String direct = vertex.baseUrl() + "/v1beta1/projects/kiln-bench/locations/europe-west4/publishers/google/models/"
					+ "gemini-2.5-flash:generateContent";
			String directBody = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + PROMPT + "\"}]}],"
					+ "\"generationConfig\":{\"temperature\":0.7,\"maxOutputTokens\":8192}}";
			String kilnBody = "{\"kind\":\"text\",\"prompt\":\"" + PROMPT + "\",\"temperature\":0.7}";
			Function<Integer, Mono<Integer>> toVertex = client -> http.headers(h -> h.add("Authorization", "Bearer " + vertex.accessToken())
				.add("Content-Type", "application/json")).post().uri(direct).send(body(directBody))
				.responseSingle((response, content) -> content.then(Mono.just(response.status().code())));
			Function<Integer, Mono<Integer>> toKiln = client -> http.headers(h -> h.add("Authorization", "Bearer " + tokens.get(client))
				.add("Content-Type", "application/json").add("Idempotency-Key", "bench-" + UUID.randomUUID()))
				.post().uri(base + "/v1/generations").send(body(kilnBody))
				.responseSingle((response, content) -> content.then(Mono.just(response.status().code())));
			Gemini gemini = kiln.getBean(Gemini.class);
			Function<Integer, Mono<Integer>> toFacade = client -> gemini.text(TextRequest.of(PROMPT, 0.7)).thenReturn(200);
			List<Long> facadeMicros = run(toFacade, clients, 10);
			facadeMicros = run(toFacade, clients, seconds);
			Collections.sort(facadeMicros);
			System.out.println("facade only (google-genai on its threads, no HTTP in front, no ledger): p50 "
					+ ms(facadeMicros, 50) + " p99 " + ms(facadeMicros, 99) + " n=" + facadeMicros.size());
			run(toVertex, clients, 10);
			run(toKiln, clients, 10);
			List<Long> directMicros = new ArrayList<>();
			List<Long> kilnMicros = new ArrayList<>();
			for (int round = 0; round < 2; round++) {
				directMicros.addAll(run(toVertex, clients, seconds));
				kilnMicros.addAll(run(toKiln, clients, seconds));
			}
			Collections.sort(directMicros);
			Collections.sort(kilnMicros);
			String report = String.format(Locale.ROOT, """
					| path | requests | p50 | p99 |
					|---|---|---|---|
					| client → Vertex emulator | %d | %s | %s |
					| client → Kiln → Vertex emulator | %d | %s | %s |
					| added by Kiln | | %s | %s |

					%d concurrent closed-loop clients, 2 × %d s per path; %d cores, %s.
					""", directMicros.size(), ms(directMicros, 50), ms(directMicros, 99), kilnMicros.size(), ms(kilnMicros, 50),
					ms(kilnMicros, 99), diff(kilnMicros, directMicros, 50), diff(kilnMicros, directMicros, 99), clients, seconds,
					Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + Runtime.version());
			Path file = Path.of("target", "benchmark", "text-overhead.md");
			Files.createDirectories(file.getParent());
			Files.writeString(file, report);
			System.out.println(report);
		}
		catch (Throwable failure) {
			failure.printStackTrace();
			status = 1;
		}
		finally {
			kiln.close();
			vertex.close();
			runpod.close();
			stripe.close();
			database.drop();
			System.exit(status); // the in-process broker's threads would keep the JVM alive
		}
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

	private static List<String> users(WebClient web, CreditLedger ledger, int count) {
		return Flux.range(0, count).concatMap(i -> {
			Map<String, String> credentials = Map.of("email", "bench-" + UUID.randomUUID() + "@example.test", "password",
					"benchmark password " + i);
			return web.post().uri("/v1/auth/signup").bodyValue(credentials).retrieve().toBodilessEntity()
				.then(web.post().uri("/v1/auth/login").bodyValue(credentials).retrieve().bodyToMono(Map.class))
				.map(login -> (String) login.get("access_token"))
				.flatMap(token -> web.get().uri("/v1/me").header("Authorization", "Bearer " + token).retrieve()
					.bodyToMono(Map.class)
					.flatMap(me -> ledger.credit(new Movement(IdempotencyKey.of("bench-" + UUID.randomUUID()),
							new AccountId(UUID.fromString((String) me.get("id"))), Credits.of(100_000_000L), "benchmark", null)))
					.thenReturn(token));
		}).collectList().block();
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
