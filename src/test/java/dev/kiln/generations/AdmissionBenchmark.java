package dev.kiln.generations;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

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
import dev.kiln.testing.runpod.RunRequest;
import dev.kiln.testing.runpod.RunpodEmulator;
import dev.kiln.testing.stripe.StripeEmulator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Video admissions per second, and how long from a client's {@code POST /v1/generations} to the RunPod
 * emulator receiving {@code /run} (admission, outbox, NOTIFY, relay, Kafka, dispatcher, RunPod call), at
 * a fixed arrival rate. Kiln runs in this JVM with the in-process Kafka and S3, the local PostgreSQL and
 * Redis; the emulator holds every job (no rendering) and capacity is unlimited, so the figures are the
 * pipeline's own. Usage: {@code loadtest/admission-benchmark.sh [per-second] [seconds]}; writes
 * target/benchmark/admissions.md.
 */
public final class AdmissionBenchmark {

	private static final int USERS = 40;

	public static void main(String[] args) throws Exception {
		int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
		int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
		TestDatabases.TestDatabase database = TestDatabases.create("AdmissionBenchmark");
		InProcessS3.Server s3 = InProcessS3.shared();
		String bucket = s3.createBucket("bench-admissions");
		Infrastructure infrastructure = new Infrastructure(database, LocalServices.redis(), 0,
				InProcessKafka.bootstrapServers(), s3, bucket);
		StripeEmulator stripe = StripeEmulator.start();
		RunpodEmulator runpod = RunpodEmulator.start();
		runpod.holdJobs(true);
		Map<String, Object> properties = new LinkedHashMap<>(infrastructure.properties());
		properties.putAll(Map.of("kiln.payments.stripe.api-base", stripe.baseUrl(), "kiln.payments.stripe.secret-key",
				stripe.apiKey(), "kiln.payments.stripe.webhook-secret", stripe.webhookSecret(), "kiln.runpod.api-base",
				runpod.baseUrl(), "kiln.runpod.api-key", runpod.apiKey(), "server.port", "0",
				"kiln.generations.video.max-in-flight", "1000", "kiln.messaging.topic-prefix", "bench-" + UUID.randomUUID() + ".",
				"kiln.rate-limits.daily-generations.free", "100000000", "logging.level.dev.kiln", "warn"));
		properties.put("kiln.generations.video.endpoint-id", runpod.endpointId());
		properties.put("spring.kafka.listener.concurrency", System.getProperty("bench.consumers", "1"));
		properties.putAll(Map.of("kiln.rate-limits.policies.api.capacity", "100000", "kiln.rate-limits.policies.api.refill",
				"100000", "kiln.rate-limits.policies.address.capacity", "100000", "kiln.rate-limits.policies.address.refill",
				"100000", "kiln.rate-limits.policies.auth-ip.capacity", "100000", "kiln.rate-limits.policies.auth-ip.refill", "100000"));
		int status = 0;
		ConfigurableApplicationContext kiln = SpringApplication.from(KilnApplication::main)
			.run(properties.entrySet().stream().map(entry -> "--" + entry.getKey() + "=" + entry.getValue()).toArray(String[]::new))
			.getApplicationContext();
		try {
			String base = "http://127.0.0.1:" + kiln.getEnvironment().getProperty("local.server.port");
			WebClient web = WebClient.builder().baseUrl(base)
				.clientConnector(new ReactorClientHttpConnector(
						HttpClient.create(ConnectionProvider.builder("benchmark").maxConnections(500).pendingAcquireMaxCount(100_000).build())))
				.build();
			List<String> tokens = users(web, kiln.getBean(CreditLedger.class), rate * seconds);
			Measurement warmUp = run(web, tokens, rate, 5);
			Measurement measured = run(web, tokens, rate, seconds);
			awaitAllDispatched(runpod, warmUp.admitted() + measured.admitted());
			report(kiln.getBean(DatabaseClient.class), runpod, measured, rate, seconds);
		}
		catch (Throwable failure) {
			failure.printStackTrace();
			status = 1;
		}
		finally {
			kiln.close();
			runpod.close();
			stripe.close();
			database.drop();
			System.exit(status); // the in-process broker's threads would keep the JVM alive
		}
	}

	private static List<String> users(WebClient web, CreditLedger ledger, int jobs) {
		return Flux.range(0, USERS).concatMap(i -> {
			String email = "bench-" + UUID.randomUUID() + "@example.test";
			Map<String, String> credentials = Map.of("email", email, "password", "benchmark password " + i);
			return web.post().uri("/v1/auth/signup").bodyValue(credentials).retrieve().toBodilessEntity()
				.then(web.post().uri("/v1/auth/login").bodyValue(credentials).retrieve().bodyToMono(Map.class))
				.map(login -> (String) login.get("access_token"))
				.flatMap(token -> web.get().uri("/v1/me").header("Authorization", "Bearer " + token).retrieve()
					.bodyToMono(Map.class)
					.flatMap(me -> ledger.credit(new Movement(IdempotencyKey.of("bench-" + UUID.randomUUID()),
							new AccountId(UUID.fromString((String) me.get("id"))), Credits.of(10L * jobs), "benchmark", null)))
					.thenReturn(token));
		}).collectList().block();
	}

	record Measurement(Map<String, Instant> sentAt, List<Long> admissionMillis, int admitted, int refused) {
	}

	/** Sends {@code rate} requests a second for {@code seconds}, open loop: arrivals do not wait for answers. */
	private static Measurement run(WebClient web, List<String> tokens, int rate, int seconds) {
		Map<String, Instant> sentAt = new ConcurrentHashMap<>();
		List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
		Map<String, Integer> outcomes = new ConcurrentHashMap<>();
		Flux.interval(Duration.ofNanos(1_000_000_000L / rate))
			.take((long) rate * seconds)
			.flatMap(i -> {
				Instant start = Instant.now();
				return web.post().uri("/v1/generations")
					.header("Authorization", "Bearer " + tokens.get((int) (i % tokens.size())))
					.header("Idempotency-Key", "bench-" + UUID.randomUUID())
					.bodyValue(Map.of("kind", "video", "workflow", "text-to-video", "prompt", "benchmark " + i,
							"parameters", Map.of("duration_seconds", 30)))
					.exchangeToMono(response -> response.statusCode().value() == 202
							? response.bodyToMono(Map.class).doOnNext(job -> {
								sentAt.put((String) job.get("id"), start);
								latencies.add(Duration.between(start, Instant.now()).toNanos() / 1000);
								outcomes.merge("admitted", 1, Integer::sum);
							}).then()
							: response.releaseBody().doOnSuccess(x -> outcomes.merge("refused", 1, Integer::sum)))
					// an open loop: a request the client could not even send counts, and the run goes on
					.onErrorResume(ex -> Mono.fromRunnable(() -> outcomes.merge("refused", 1, Integer::sum)));
			}, 4096)
			.blockLast();
		return new Measurement(sentAt, latencies, outcomes.getOrDefault("admitted", 0), outcomes.getOrDefault("refused", 0));
	}

	private static void awaitAllDispatched(RunpodEmulator runpod, int expected) throws InterruptedException {
		Instant giveUp = Instant.now().plusSeconds(60);
		while (runpod.runRequests().size() < expected && Instant.now().isBefore(giveUp)) {
			Thread.sleep(100);
		}
	}

	private static void report(DatabaseClient db, RunpodEmulator runpod, Measurement measured, int rate, int seconds)
			throws Exception {
		Map<String, Instant> received = new HashMap<>();
		for (RunRequest run : runpod.runRequests()) {
			received.put(run.jobId(), run.receivedAt());
		}
		Map<String, String> providerIds = new HashMap<>();
		db.sql("select id, provider_job_id from generation_jobs where provider_job_id is not null")
			.map(row -> Map.entry(row.get("id", UUID.class).toString(), row.get("provider_job_id", String.class)))
			.all()
			.doOnNext(entry -> providerIds.put(entry.getKey(), entry.getValue()))
			.blockLast();
		List<Long> toRun = new ArrayList<>();
		measured.sentAt().forEach((job, sent) -> {
			Instant at = received.get(providerIds.get(job));
			if (at != null) {
				toRun.add(Duration.between(sent, at).toNanos() / 1000);
			}
		});
		String figures = String.format(Locale.ROOT, """
				| what | p50 | p99 | max |
				|---|---|---|---|
				| POST /v1/generations → 202 | %s | %s | %s |
				| POST → RunPod emulator received /run | %s | %s | %s |

				%d requests at %d/s for %d s: %d admitted, %d refused or failed; %d of the admitted reached
				RunPod (%d expected). %d cores, %s.
				""", ms(measured.admissionMillis(), 50), ms(measured.admissionMillis(), 99), ms(measured.admissionMillis(), 100),
				ms(toRun, 50), ms(toRun, 99), ms(toRun, 100), rate * seconds, rate, seconds, measured.admitted(),
				measured.refused(), toRun.size(), measured.admitted(), Runtime.getRuntime().availableProcessors(),
				System.getProperty("java.vm.name") + " " + Runtime.version());
		Path report = Path.of("target", "benchmark", "admissions.md");
		Files.createDirectories(report.getParent());
		Files.writeString(report, figures);
		System.out.println(figures);
	}

	private static String ms(List<Long> micros, int percentile) {
		if (micros.isEmpty()) {
			return "n/a";
		}
		List<Long> sorted = new ArrayList<>(micros);
		Collections.sort(sorted);
		int index = Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
		return String.format(Locale.ROOT, "%.1f ms", sorted.get(Math.max(0, index)) / 1000.0);
	}
}
