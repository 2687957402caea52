package dev.kiln.generations;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import dev.kiln.testing.vertex.VertexEmulator;
import reactor.core.publisher.Flux;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Kiln as the benchmarks run it: in this JVM, with the in-process Kafka and S3, the local PostgreSQL (a
 * database of its own, dropped on close) and Redis, the provider emulators, rate limits out of the way
 * and quiet logs. {@code extra} properties come last and win.
 */
final class BenchmarkKiln implements AutoCloseable {

	final ConfigurableApplicationContext context;

	final RunpodEmulator runpod;

	final VertexEmulator vertex;

	final String base;

	private final StripeEmulator stripe;

	private final TestDatabases.TestDatabase database;

	private BenchmarkKiln(ConfigurableApplicationContext context, RunpodEmulator runpod, VertexEmulator vertex,
			StripeEmulator stripe, TestDatabases.TestDatabase database) {
		this.context = context;
		this.runpod = runpod;
		this.vertex = vertex;
		this.stripe = stripe;
		this.database = database;
		this.base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
	}

	static BenchmarkKiln start(String name, RunpodEmulator runpod, Map<String, Object> extra) {
		TestDatabases.TestDatabase database = TestDatabases.create(name);
		InProcessS3.Server s3 = InProcessS3.shared();
		Infrastructure infrastructure = new Infrastructure(database, LocalServices.redis(), 0,
				InProcessKafka.bootstrapServers(), s3, s3.createBucket("bench-" + name.toLowerCase()));
		StripeEmulator stripe = StripeEmulator.start();
		VertexEmulator vertex = VertexEmulator.start();
		String run = "bench-" + UUID.randomUUID();
		Map<String, Object> properties = new LinkedHashMap<>(infrastructure.properties());
		properties.putAll(Map.of("kiln.payments.stripe.api-base", stripe.baseUrl(), "kiln.payments.stripe.secret-key",
				stripe.apiKey(), "kiln.payments.stripe.webhook-secret", stripe.webhookSecret(), "kiln.runpod.api-base",
				runpod.baseUrl(), "kiln.runpod.api-key", runpod.apiKey(), "kiln.generations.video.endpoint-id",
				runpod.endpointId(), "server.port", "0", "logging.level.dev.kiln", "warn"));
		properties.putAll(Map.of("kiln.vertex.base-url", vertex.baseUrl(), "kiln.vertex.access-token", vertex.accessToken(),
				"kiln.vertex.project", "kiln-bench", "kiln.messaging.topic-prefix", run + ".",
				"kiln.generations.streams.channel", run, "kiln.rate-limits.daily-generations.free", "100000000"));
		for (String policy : List.of("api", "address", "auth-ip")) {
			properties.put("kiln.rate-limits.policies." + policy + ".capacity", "1000000");
			properties.put("kiln.rate-limits.policies." + policy + ".refill", "1000000");
		}
		properties.putAll(extra);
		ConfigurableApplicationContext context = SpringApplication.from(KilnApplication::main)
			.run(properties.entrySet().stream().map(entry -> "--" + entry.getKey() + "=" + entry.getValue()).toArray(String[]::new))
			.getApplicationContext();
		return new BenchmarkKiln(context, runpod, vertex, stripe, database);
	}

	/** Signs up and logs in {@code count} users, gives each {@code credits}, and returns their access tokens. */
	List<String> users(int count, long credits) {
		WebClient web = WebClient.create(base);
		CreditLedger ledger = context.getBean(CreditLedger.class);
		return Flux.range(0, count).flatMapSequential(i -> {
			Map<String, String> credentials = Map.of("email", "bench-" + UUID.randomUUID() + "@example.test", "password",
					"benchmark password " + i);
			return web.post().uri("/v1/auth/signup").bodyValue(credentials).retrieve().toBodilessEntity()
				.then(web.post().uri("/v1/auth/login").bodyValue(credentials).retrieve().bodyToMono(Map.class))
				.map(login -> (String) login.get("access_token"))
				.flatMap(token -> web.get().uri("/v1/me").header("Authorization", "Bearer " + token).retrieve()
					.bodyToMono(Map.class)
					.flatMap(me -> ledger.credit(new Movement(IdempotencyKey.of("bench-" + UUID.randomUUID()),
							new AccountId(UUID.fromString((String) me.get("id"))), Credits.of(credits), "benchmark", null)))
					.thenReturn(token));
		}, 4).collectList().block();
	}

	/** A benchmark's body, which may throw anything. */
	@FunctionalInterface
	interface Benchmark {

		void run() throws Exception;
	}

	/**
	 * Runs the benchmark, closes Kiln and exits the JVM (the in-process broker's threads would keep it
	 * alive): status 0 when it completed, 1 with the stack trace when it threw.
	 */
	void runAndExit(Benchmark benchmark) {
		int status = 0;
		try {
			benchmark.run();
		}
		catch (Throwable failure) {
			failure.printStackTrace();
			status = 1;
		}
		finally {
			close();
			System.exit(status);
		}
	}

	/** The CPU time, in nanoseconds, every thread of this JVM has used so far (Kiln's and the benchmark's). */
	static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
	}

	/** Writes the report to {@code target/benchmark/<fileName>} and prints it. */
	static void report(String fileName, String report) throws IOException {
		Path file = Path.of("target", "benchmark", fileName);
		Files.createDirectories(file.getParent());
		Files.writeString(file, report);
		System.out.println(report);
	}

	@Override
	public void close() {
		context.close();
		vertex.close();
		runpod.close();
		stripe.close();
		database.drop();
	}
}
