package dev.kiln.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database of its own for each test class, so classes can run in parallel and leave nothing behind.
 * Names carry their creation time; databases left by a killed run are dropped after a few hours.
 */
public final class TestDatabases {

	private static final Logger log = LoggerFactory.getLogger(TestDatabases.class);

	private static final String PREFIX = "kiln_t_";

	private static final Duration ABANDONED_AFTER = Duration.ofHours(3);

	private static boolean sweptAbandoned;

	private TestDatabases() {
	}

	/** Creates an empty database for {@code label} (Flyway migrates it when the application starts). */
	public static TestDatabase create(String label) {
		String readable = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
		String name = PREFIX + Instant.now().getEpochSecond() + "_"
				+ Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000)) + "_"
				+ readable.substring(0, Math.min(readable.length(), 30));
		sweepAbandoned();
		execute("create database " + name);
		return new TestDatabase(LocalServices.postgres(), name);
	}

	/** Creates the database unless it exists; for local runs that keep their data between starts. */
	public static TestDatabase createIfMissing(String name) {
		try (Connection admin = admin(); Statement statement = admin.createStatement();
				ResultSet rows = statement.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
			if (!rows.next()) {
				statement.execute("create database " + name);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot create database " + name, ex);
		}
		return new TestDatabase(LocalServices.postgres(), name);
	}

	public static void drop(String name) {
		execute("drop database if exists " + name + " with (force)");
	}

	private static synchronized void sweepAbandoned() {
		if (sweptAbandoned) {
			return;
		}
		sweptAbandoned = true;
		long cutoff = Instant.now().minus(ABANDONED_AFTER).getEpochSecond();
		List<String> abandoned = new ArrayList<>();
		try (Connection admin = admin(); Statement statement = admin.createStatement();
				ResultSet rows = statement.executeQuery("select datname from pg_database where datname like '" + PREFIX + "%'")) {
			while (rows.next()) {
				String name = rows.getString(1);
				String[] parts = name.substring(PREFIX.length()).split("_");
				if (parts[0].matches("\\d+") && Long.parseLong(parts[0]) < cutoff) {
					abandoned.add(name);
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot list test databases", ex);
		}
		abandoned.forEach(name -> {
			log.info("dropping abandoned test database {}", name);
			drop(name);
		});
	}

	private static void execute(String sql) {
		try (Connection admin = admin(); Statement statement = admin.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("failed: " + sql, ex);
		}
	}

	private static Connection admin() throws SQLException {
		ServiceEndpoint server = LocalServices.postgres();
		return DriverManager.getConnection("jdbc:postgresql://" + server.host() + ":" + server.port() + "/postgres",
				server.user(), server.password());
	}

	public record TestDatabase(ServiceEndpoint server, String name) {

		public String jdbcUrl() {
			return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + name;
		}

		public String r2dbcUrl() {
			return "r2dbc:postgresql://" + server.host() + ":" + server.port() + "/" + name;
		}

		public void drop() {
			TestDatabases.drop(name);
		}
	}
}
