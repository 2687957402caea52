package dev.kiln.credits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kiln.testing.LocalServices;
import dev.kiln.testing.ServiceEndpoint;
import dev.kiln.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import org.flywaydb.core.Flyway;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Holds per second through {@link CreditLedger#hold} against pgbench running the same statement on the
 * same database in the same run, on one hot account and spread over 10,000 accounts, 32 clients each.
 * Runs are interleaved (Kiln, pgbench, pgbench, Kiln) so that table growth favours neither side.
 * Usage: {@code loadtest/hold-benchmark.sh [seconds-per-run]}. Writes target/benchmark/holds.md.
 */
public final class HoldBenchmark {

	private static final int CLIENTS = 32;

	private static final int ACCOUNTS = 10_000;

	private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

	private final ServiceEndpoint server = LocalServices.postgres();

	private final String database = "kiln_bench";

	private final Duration run;

	private CreditLedger ledger;

	private HoldBenchmark(Duration run) {
		this.run = run;
	}

	public static void main(String[] args) throws Exception {
		Duration run = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 20);
		new HoldBenchmark(run).measure();
		System.exit(0);
	}

	private void measure() throws Exception {
		prepareDatabase();
		ConnectionPool pool = pool();
		ledger = new CreditLedger(DatabaseClient.create(pool), Clock.systemUTC(), new SimpleMeterRegistry());
		say("warming up Kiln for %ds", run.toSeconds());
		kiln(false, run);
		List<String> rows = new ArrayList<>();
		for (boolean spread : new boolean[] { false, true }) {
			String workload = spread ? "10,000 accounts" : "one hot account";
			double kilnFirst = kiln(spread, run);
			double pgFirst = pgbench(spread);
			double pgSecond = pgbench(spread);
			double kilnSecond = kiln(spread, run);
			double kiln = (kilnFirst + kilnSecond) / 2;
			double pg = (pgFirst + pgSecond) / 2;
			rows.add(String.format(Locale.ROOT, "| %s | %.0f (%.0f, %.0f) | %.0f (%.0f, %.0f) | %.0f%% |", workload, kiln,
					kilnFirst, kilnSecond, pg, pgFirst, pgSecond, 100 * kiln / pg));
		}
		pool.disposeLater().block();
		String table = String.join("\n", "| workload | Kiln holds/s (runs) | pgbench tps (runs) | Kiln / pgbench |",
				"|---|---|---|---|", String.join("\n", rows));
		Path report = Path.of("target", "benchmark", "holds.md");
		Files.createDirectories(report.getParent());
		Files.writeString(report, "%d clients, %ds per run, %s, %d cores\n\n%s\n".formatted(CLIENTS, run.toSeconds(),
				Runtime.version(), Runtime.getRuntime().availableProcessors(), table));
		say("%s", table);
	}

	/** A fresh database with 10,000 funded accounts whose ids pgbench can compute from a number. */
	private void prepareDatabase() {
		TestDatabases.drop(database);
		TestDatabases.TestDatabase db = TestDatabases.createIfMissing(database);
		Flyway.configure().dataSource(db.jdbcUrl(), server.user(), server.password()).load().migrate();
		ConnectionPool pool = pool();
		DatabaseClient.create(pool).sql("""
				with accounts as (select n, lpad(n::text, 12, '0') as tail from generate_series(1, %d) as n),
				     ids as (select n, ('00000000-0000-0000-0000-' || tail)::uuid as id from accounts),
				     users as (insert into users (id) select id from ids returning id),
				     opened as (insert into credit_accounts (id) select id from users returning id)
				select count(*) from opened
				""".formatted(ACCOUNTS)).then().block();
		DatabaseClient.create(pool)
			.sql("select count(ledger_credit('seed:' || id, id, 1000000000000, 'benchmark funds', null)) from credit_accounts")
			.then()
			.block();
		pool.disposeLater().block();
		say("database %s: %d funded accounts", database, ACCOUNTS);
	}

	private double kiln(boolean spread, Duration duration) {
		AtomicLong done = new AtomicLong();
		AtomicLong keys = new AtomicLong();
		String prefix = "kiln:" + UUID.randomUUID() + ":";
		Instant start = Instant.now();
		Instant end = start.plus(duration);
		Flux.range(0, CLIENTS)
			.flatMap(client -> Mono.defer(() -> ledger.hold(new HoldRequest(
					IdempotencyKey.of(prefix + keys.incrementAndGet()), account(spread), Credits.of(1),
					Instant.now().plus(Duration.ofHours(1)), "bench", null)))
				.doOnNext(result -> {
					if (!(result instanceof Held)) {
						throw new IllegalStateException("benchmark hold refused: " + result);
					}
					done.incrementAndGet();
				})
				.repeat(() -> Instant.now().isBefore(end)), CLIENTS)
			.blockLast();
		double seconds = Duration.between(start, Instant.now()).toNanos() / 1e9;
		double rate = done.get() / seconds;
		say("Kiln %s: %d holds in %.1fs = %.0f/s", spread ? "spread" : "hot", done.get(), seconds, rate);
		return rate;
	}

	private double pgbench(boolean spread) throws IOException, InterruptedException {
		Path script = Files.createTempFile("kiln-hold-", ".sql");
		Files.writeString(script, """
				\\set n %s
				select * from ledger_hold('pgbench:' || gen_random_uuid(), ('00000000-0000-0000-0000-' || lpad(:n::text, 12, '0'))::uuid, 1, now() + interval '1 hour', 'bench', null, now());
				""".formatted(spread ? "random(1, " + ACCOUNTS + ")" : "1"));
		Process pgbench = new ProcessBuilder("pgbench", "-n", "-M", "prepared", "-c", Integer.toString(CLIENTS), "-j",
				"2", "-T", Long.toString(run.toSeconds()), "-f", script.toString(), "-h", server.host(), "-p",
				Integer.toString(server.port()), "-U", server.user(), database)
			.redirectErrorStream(true)
			.start();
		String output = new String(pgbench.getInputStream().readAllBytes());
		if (pgbench.waitFor() != 0) {
			throw new IllegalStateException("pgbench failed:\n" + output);
		}
		Matcher tps = TPS.matcher(output);
		if (!tps.find()) {
			throw new IllegalStateException("no tps in pgbench output:\n" + output);
		}
		double rate = Double.parseDouble(tps.group(1));
		say("pgbench %s: %.0f/s", spread ? "spread" : "hot", rate);
		Files.delete(script);
		return rate;
	}

	private static AccountId account(boolean spread) {
		int n = spread ? 1 + ThreadLocalRandom.current().nextInt(ACCOUNTS) : 1;
		return new AccountId(UUID.fromString("00000000-0000-0000-0000-%012d".formatted(n)));
	}

	private ConnectionPool pool() {
		PostgresqlConnectionFactory connections = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration
			.builder()
			.host(server.host())
			.port(server.port())
			.username(server.user())
			.password(server.password())
			.database(database)
			.build());
		return new ConnectionPool(ConnectionPoolConfiguration.builder(connections)
			.initialSize(CLIENTS)
			.maxSize(CLIENTS)
			.build());
	}

	private static void say(String format, Object... args) {
		System.out.printf(Locale.ROOT, format + "%n", args);
	}
}
