package dev.kiln.generations;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
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

import dev.kiln.testing.runpod.RunRequest;
import dev.kiln.testing.runpod.RunpodEmulator;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Video admissions per second, and how long from a client's {@code POST /v1/generations} to the RunPod
 * emulator receiving {@code /run} (admission, outbox, NOTIFY, relay, Kafka, dispatcher, RunPod call), at
 * a fixed arrival rate. Kiln runs in this JVM with the in-process Kafka and S3, the local PostgreSQL and
 * Redis; the emulator holds every job (no rendering) and the benchmark frees their capacity slots, so the
 * figures are the pipeline's own. A warm-up (60 s at half the rate unless {@code -Dbench.warm-up-seconds} and
 * {@code -Dbench.warm-up-rate} say otherwise, then the measured rate until the JIT compiler is quiet) lets the
 * JIT compile the pipeline, and its jobs all reach RunPod before the measured run starts.
 * {@code -Dbench.pipeline=relay} runs without the dispatcher and {@code -Dbench.pipeline=admission} without the
 * relay too, to tell what each part costs. Usage:
 * {@code loadtest/admission-benchmark.sh [per-second] [seconds]}; writes
 * target/benchmark/admissions.md.
 */
public final class AdmissionBenchmark {

	private static final int USERS = 40;

	private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

	public static void main(String[] args) throws Exception {
		int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
		int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
		int warmUpSeconds = Integer.getInteger("bench.warm-up-seconds", 60);
		int warmUpRate = Integer.getInteger("bench.warm-up-rate", Math.max(1, rate / 2));
		int warmUpMaxSeconds = Integer.getInteger("bench.warm-up-max-seconds", 600);
		RunpodEmulator runpod = RunpodEmulator.start();
		runpod.holdJobs(true);
		Map<String, Object> settings = new HashMap<>(Map.of("kiln.generations.video.max-in-flight", "1000",
				"spring.kafka.listener.concurrency", System.getProperty("bench.consumers", "1")));
		if (System.getProperty("bench.max-poll-records") != null) {
			settings.put("spring.kafka.consumer.max-poll-records", System.getProperty("bench.max-poll-records"));
		}
		Pipeline pipeline = Pipeline.valueOf(System.getProperty("bench.pipeline", "all").toUpperCase(Locale.ROOT));
		if (pipeline != Pipeline.ALL) {
			settings.put("kiln.generations.video.dispatcher-enabled", "false");
		}
		BenchmarkKiln kiln = BenchmarkKiln.start("AdmissionBenchmark", runpod, settings);
		DatabaseClient db = kiln.context.getBean(DatabaseClient.class);
		if (pipeline == Pipeline.ADMISSION) {
			kiln.context.getBean("outboxRelay", SmartLifecycle.class).stop();
		}
		Disposable freeing = freeCapacity(db);
		kiln.runAndExit(() -> {
			try {
				WebClient web = WebClient.builder().baseUrl(kiln.base)
					.clientConnector(new ReactorClientHttpConnector(HttpClient
						.create(ConnectionProvider.builder("benchmark").maxConnections(500).pendingAcquireMaxCount(100_000).build())))
					.build();
				List<String> tokens = kiln.users(USERS, 10L * (warmUpRate * warmUpSeconds + rate * (seconds + warmUpMaxSeconds)));
				long idleStart = BenchmarkKiln.processCpuNanos();
				Thread.sleep(10_000);
				double idleCores = (BenchmarkKiln.processCpuNanos() - idleStart) / 10e9;
				// the JIT compiles the pipeline during the warm-up, and the warm-up's jobs drain before the measured run
				WarmUp warmUp = warmUp(web, tokens, warmUpRate, warmUpSeconds, rate, warmUpMaxSeconds);
				awaitPipeline(pipeline, db, runpod, warmUp.admitted());
				long cpuStart = BenchmarkKiln.processCpuNanos();
				long jitStart = JIT.getTotalCompilationTime();
				Measurement measured = run(web, tokens, rate, seconds);
				awaitPipeline(pipeline, db, runpod, warmUp.admitted() + measured.admitted());
				long cpuNanos = BenchmarkKiln.processCpuNanos() - cpuStart;
				report(db, runpod, measured, rate, seconds, String.format(Locale.ROOT,
						"Pipeline: %s. JVM CPU from the first request until the last job went as far as the pipeline "
								+ "goes, per admission: %.2f ms (idle before the warm-up: %.2f cores). Warm-up: %d s at %d/s, "
								+ "then %s; during the run and its drain the JIT compiler was busy %d ms.",
						pipeline.description, cpuNanos / 1e6 / Math.max(1, measured.admitted()), idleCores, warmUpSeconds,
						warmUpRate, warmUp.describe(warmUpSeconds, rate), JIT.getTotalCompilationTime() - jitStart));
			}
			finally {
				freeing.dispose();
			}
		});
	}

	record Measurement(Map<String, Instant> sentAt, List<Long> admissionMillis, int admitted, int refused) {
	}

	/** {@code lastRoundJitMillis} is -1 when no round ran; {@code quiet} says whether the rounds ended by the JIT. */
	record WarmUp(int admitted, int seconds, long lastRoundJitMillis, boolean quiet) {

		String describe(int firstSeconds, int rate) {
			if (lastRoundJitMillis < 0) {
				return "no rounds (bench.warm-up-max-seconds)";
			}
			return String.format(Locale.ROOT, "%d s at %d/s %s: the JIT compiler busy %d ms in the last 10 s",
					seconds - firstSeconds, rate, quiet ? "until it went quiet" : "up to the cap, not quiet", lastRoundJitMillis);
		}
	}

	/**
	 * The warm-up's load for {@code seconds}, then the measured rate in rounds of 10 s until the JIT compiler
	 * spent less than {@code -Dbench.jit-quiet-millis} (500) of a round compiling, or for {@code
	 * -Dbench.warm-up-max-seconds} (600) in all. With the broker, the emulators and Kiln in one JVM there
	 * is a lot of code, and on two cores its compilation goes on for minutes; measured before it settles,
	 * a run counts the compiler's work as the pipeline's. The rounds run at the measured rate because a
	 * higher rate takes other paths (larger batches) that the compiler has not seen yet.
	 */
	private static WarmUp warmUp(WebClient web, List<String> tokens, int rate, int seconds, int measuredRate,
			int maxSeconds) {
		long quietMillis = Long.getLong("bench.jit-quiet-millis", 500);
		int admitted = run(web, tokens, rate, seconds).admitted();
		int elapsed = seconds;
		long roundJit = -1;
		while (elapsed + 10 <= maxSeconds && (roundJit < 0 || roundJit >= quietMillis)) {
			long before = JIT.getTotalCompilationTime();
			admitted += run(web, tokens, measuredRate, 10).admitted();
			roundJit = JIT.getTotalCompilationTime() - before;
			elapsed += 10;
			System.out.printf(Locale.ROOT, "warm-up: %d s, the JIT compiler busy %d ms in the last 10 s%n", elapsed, roundJit);
		}
		return new WarmUp(admitted, elapsed, roundJit, roundJit >= 0 && roundJit < quietMillis);
	}

	/** How much of the pipeline runs: stopping parts of it tells what each costs. */
	enum Pipeline {

		ALL("admission, relay, Kafka, dispatch, RunPod's /run"), RELAY("admission, relay and Kafka; no dispatcher"),
		ADMISSION("admission only; no relay, no dispatcher");

		final String description;

		Pipeline(String description) {
			this.description = description;
		}
	}

	private static void awaitPipeline(Pipeline pipeline, DatabaseClient db, RunpodEmulator runpod, int admitted)
			throws InterruptedException {
		switch (pipeline) {
			case ALL -> awaitAllDispatched(runpod, admitted);
			case RELAY -> awaitOutboxPublished(db);
			case ADMISSION -> {
			}
		}
	}

	private static void awaitOutboxPublished(DatabaseClient db) throws InterruptedException {
		Instant giveUp = Instant.now().plusSeconds(60);
		while (Instant.now().isBefore(giveUp) && db.sql("select count(*) as waiting from outbox where published_at is null")
			.map(row -> row.get("waiting", Long.class)).one().block() > 0) {
			Thread.sleep(100);
		}
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

	/**
	 * The emulator holds every job, so without completions the endpoint's {@code max-in-flight} would fill
	 * and the last jobs would wait for capacity. Standing in for completions without their work (rendering,
	 * uploads, webhooks, which are not what this measures), jobs RunPod has accepted are marked finished
	 * every 200 ms. Their holds stay open: the benchmark's database is dropped at the end.
	 */
	private static Disposable freeCapacity(DatabaseClient db) {
		return Flux.interval(Duration.ofMillis(200))
			.onBackpressureDrop()
			.concatMap(tick -> db.sql("update generation_jobs set status = 'succeeded', finished_at = now() "
					+ "where status = 'dispatched' and provider_job_id is not null").then())
			.subscribe(null, failure -> failure.printStackTrace());
	}

	private static void awaitAllDispatched(RunpodEmulator runpod, int expected) throws InterruptedException {
		Instant giveUp = Instant.now().plusSeconds(60);
		while (runpod.runRequests().size() < expected && Instant.now().isBefore(giveUp)) {
			Thread.sleep(100);
		}
	}

	private static void report(DatabaseClient db, RunpodEmulator runpod, Measurement measured, int rate, int seconds,
			String cpu) throws Exception {
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
		// where the time goes: PostgreSQL's now() is each transaction's start, on this machine's clock
		Map<String, List<Long>> stages = new LinkedHashMap<>();
		db.sql("select j.id, j.created_at, o.published_at, j.dispatched_at from generation_jobs j "
				+ "join outbox o on o.message_key = j.id::text where j.dispatched_at is not null")
			.map(row -> new Stages(row.get("id", UUID.class).toString(), row.get("created_at", Instant.class),
					row.get("published_at", Instant.class), row.get("dispatched_at", Instant.class)))
			.all()
			.filter(stage -> measured.sentAt().containsKey(stage.job()) && received.containsKey(providerIds.get(stage.job())))
			.doOnNext(stage -> {
				stages.computeIfAbsent("POST → admission transaction", k -> new ArrayList<>())
					.add(micros(measured.sentAt().get(stage.job()), stage.admitted()));
				stages.computeIfAbsent("admission → relay's transaction", k -> new ArrayList<>())
					.add(micros(stage.admitted(), stage.published()));
				stages.computeIfAbsent("relay → dispatcher's claim", k -> new ArrayList<>())
					.add(micros(stage.published(), stage.dispatched()));
				stages.computeIfAbsent("claim → emulator received /run", k -> new ArrayList<>())
					.add(micros(stage.dispatched(), received.get(providerIds.get(stage.job()))));
			})
			.blockLast();
		StringBuilder stageRows = new StringBuilder();
		stages.forEach((stage, micros) -> stageRows.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", stage,
				ms(micros, 50), ms(micros, 99), ms(micros, 100))));
		String figures = String.format(Locale.ROOT, """
				| what | p50 | p99 | max |
				|---|---|---|---|
				| POST /v1/generations → 202 | %s | %s | %s |
				| POST → RunPod emulator received /run | %s | %s | %s |
				%s
				%d requests at %d/s for %d s: %d admitted, %d refused or failed; %d of the admitted reached
				RunPod (%d expected). %d cores, %s.
				%s
				""", ms(measured.admissionMillis(), 50), ms(measured.admissionMillis(), 99), ms(measured.admissionMillis(), 100),
				ms(toRun, 50), ms(toRun, 99), ms(toRun, 100), stageRows, rate * seconds, rate, seconds, measured.admitted(),
				measured.refused(), toRun.size(), measured.admitted(), Runtime.getRuntime().availableProcessors(),
				System.getProperty("java.vm.name") + " " + Runtime.version(), cpu);
		BenchmarkKiln.report("admissions.md", figures + missing(db, measured, received, providerIds));
	}

	/** Where the admitted jobs that never reached RunPod in the run stopped, before the database is dropped. */
	private static String missing(DatabaseClient db, Measurement measured, Map<String, Instant> received,
			Map<String, String> providerIds) {
		List<UUID> missing = measured.sentAt().keySet().stream()
			.filter(job -> !received.containsKey(providerIds.get(job)))
			.map(UUID::fromString)
			.toList();
		if (missing.isEmpty() || received.isEmpty()) { // nothing reaches RunPod when the pipeline stops before it
			return "";
		}
		StringBuilder rows = new StringBuilder("\nNot at RunPod when the run ended:\n\n| job | status | version | dispatched "
				+ "| RunPod id | outbox published | outbox attempts |\n|---|---|---|---|---|---|---|\n");
		db.sql("select j.id, j.status, j.version, j.dispatched_at, j.provider_job_id, o.published_at, o.attempts "
				+ "from generation_jobs j left join outbox o on o.message_key = j.id::text where j.id = any(:ids) limit 20")
			.bind("ids", missing.toArray(UUID[]::new))
			.map(row -> String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", row.get("id", UUID.class),
					row.get("status", String.class), row.get("version", Integer.class), row.get("dispatched_at", Instant.class),
					row.get("provider_job_id", String.class), row.get("published_at", Instant.class),
					row.get("attempts", Integer.class)))
			.all()
			.doOnNext(rows::append)
			.blockLast();
		return rows.toString();
	}

	private record Stages(String job, Instant admitted, Instant published, Instant dispatched) {
	}

	private static long micros(Instant from, Instant to) {
		return Duration.between(from, to).toNanos() / 1000;
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
