package dev.kiln.generations;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kiln.testing.runpod.RunpodEmulator;
import reactor.core.publisher.Flux;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The server side of the stream benchmark: Kiln (with the in-process Kafka and S3, the local PostgreSQL
 * and Redis) and {@code users} users with one running job each. It writes their tokens and jobs for
 * {@link StreamBenchmarkClient} (another JVM, so each process stays within the file-descriptor limit and
 * the heap measured here is the server's alone), waits until the client's streams are all open,
 * measures heap and resident memory, then commits {@code rate} job changes a second for {@code seconds}
 * through {@code Jobs.move}, the path webhooks take. Usage: see loadtest/stream-benchmark.sh.
 */
public final class StreamBenchmark {

	public static void main(String[] args) throws Exception {
		int streams = Integer.parseInt(args[0]);
		int users = Integer.parseInt(args[1]);
		int rate = Integer.parseInt(args[2]);
		int seconds = Integer.parseInt(args[3]);
		Path dir = Path.of("target", "benchmark");
		Files.createDirectories(dir);
		RunpodEmulator runpod = RunpodEmulator.start();
		runpod.holdJobs(true);
		BenchmarkKiln kiln = BenchmarkKiln.start("StreamBenchmark", runpod, Map.of("kiln.generations.video.max-in-flight",
				"1000", "kiln.generations.streams.max-per-user", "1000"));
		kiln.runAndExit(() -> {
			WebClient web = WebClient.create(kiln.base);
			List<String[]> userJobs = withRunningJobs(web, kiln.users(users, 100));
			awaitRunning(kiln.context.getBean(DatabaseClient.class), users);
			Memory idle = Memory.now();
			Properties setup = new Properties();
			setup.setProperty("base", kiln.base);
			setup.setProperty("streams", Integer.toString(streams));
			for (int i = 0; i < userJobs.size(); i++) {
				setup.setProperty("token." + i, userJobs.get(i)[0]);
			}
			try (var out = Files.newOutputStream(dir.resolve("streams-setup.properties"))) {
				setup.store(out, "stream benchmark");
			}
			StatusHub hub = kiln.context.getBean(StatusHub.class);
			awaitOpen(hub, streams);
			Thread.sleep(5_000); // let start-up reads and buffers settle
			Memory open = Memory.now();
			Files.writeString(dir.resolve("streams-go"), Instant.now().toString());
			int committed = drive(kiln.context.getBean(Jobs.class), userJobs, rate, seconds);
			Thread.sleep(5_000);
			Memory after = Memory.now();
			String report = String.format(java.util.Locale.ROOT, """
					server: %d streams open (hub count %d) for %d users; %d job changes committed at %d/s for %d s
					heap after GC: idle %.1f MiB, with streams %.1f MiB, after the run %.1f MiB -> %.1f KiB per stream
					resident: idle %.1f MiB, with streams %.1f MiB -> %.1f KiB per stream
					""", streams, hub.openStreams(), users, committed, rate, seconds, idle.heapMiB(), open.heapMiB(),
					after.heapMiB(), (open.heapBytes - idle.heapBytes) / 1024.0 / streams, idle.rssMiB(), open.rssMiB(),
					(open.rssBytes - idle.rssBytes) / 1024.0 / streams);
			Files.writeString(dir.resolve("streams-server.txt"), report);
			Files.writeString(dir.resolve("streams-done"), Integer.toString(committed));
			System.out.println(report);
			Thread.sleep(10_000); // the client reads the last events and its report before the server goes
		});
	}

	/** {@code [token, jobId]} per user: each asks for a video the emulator holds. */
	private static List<String[]> withRunningJobs(WebClient web, List<String> tokens) {
		return Flux.fromIterable(tokens).flatMapSequential(token -> web.post().uri("/v1/generations")
			.header("Authorization", "Bearer " + token)
			.header("Idempotency-Key", "bench-" + UUID.randomUUID())
			.bodyValue(Map.of("kind", "video", "workflow", "text-to-video", "prompt", "benchmark", "parameters",
					Map.of("duration_seconds", 30)))
			.retrieve()
			.bodyToMono(Map.class)
			.map(job -> new String[] { token, (String) job.get("id") }), 4).collectList().block();
	}

	private static void awaitRunning(DatabaseClient db, int users) throws InterruptedException {
		while (db.sql("select count(*) as n from generation_jobs where status = 'dispatched'")
			.map(row -> row.get("n", Long.class)).one().block() < users) {
			Thread.sleep(200);
		}
	}

	private static void awaitOpen(StatusHub hub, int streams) throws InterruptedException {
		Instant giveUp = Instant.now().plusSeconds(600);
		while (hub.openStreams() < streams) {
			if (Instant.now().isAfter(giveUp)) {
				throw new IllegalStateException("only " + hub.openStreams() + " of " + streams + " streams opened");
			}
			Thread.sleep(500);
		}
	}

	/** Commits {@code rate} progress changes a second, round robin over the jobs, each job's progress rising. */
	private static int drive(Jobs jobs, List<String[]> userJobs, int rate, int seconds) {
		List<UUID> ids = new ArrayList<>(userJobs.stream().map(pair -> UUID.fromString(pair[1])).toList());
		AtomicInteger committed = new AtomicInteger();
		Flux.interval(Duration.ofNanos(1_000_000_000L / rate))
			.take((long) rate * seconds)
			.flatMap(i -> {
				UUID job = ids.get((int) (i % ids.size()));
				int progress = (int) Math.min(99, 1 + i / ids.size());
				return jobs.move(job, Set.of(JobStatus.DISPATCHED, JobStatus.RUNNING),
						new Jobs.Change(JobStatus.RUNNING, progress, null, null, null, null, null))
					.doOnNext(moved -> committed.incrementAndGet());
			}, 256)
			.blockLast();
		return committed.get();
	}

	record Memory(long heapBytes, long rssBytes) {

		static Memory now() throws Exception {
			for (int i = 0; i < 3; i++) {
				System.gc();
				Thread.sleep(200);
			}
			long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
			long rss = Files.readAllLines(Path.of("/proc/self/status")).stream()
				.filter(line -> line.startsWith("VmRSS:"))
				.map(line -> Long.parseLong(line.replaceAll("\\D", "")) * 1024)
				.findFirst().orElse(0L);
			return new Memory(heap, rss);
		}

		double heapMiB() {
			return heapBytes / 1048576.0;
		}

		double rssMiB() {
			return rssBytes / 1048576.0;
		}
	}
}
