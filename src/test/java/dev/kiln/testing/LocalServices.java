package dev.kiln.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL and Redis for tests and local runs, resolved once per JVM. The local services come first
 * ({@code PGHOST}/{@code PGPORT}/{@code PGUSER}/{@code PGPASSWORD}, {@code REDIS_HOST}/{@code REDIS_PORT};
 * 127.0.0.1:5432 and :6379 by default); when one is not reachable and a Docker engine is, a
 * Testcontainers container stands in. {@code KILN_TEST_SERVICES=containers} forces containers,
 * {@code local} forbids them.
 */
public final class LocalServices {

	private static final Logger log = LoggerFactory.getLogger(LocalServices.class);

	private static ServiceEndpoint postgres;

	private static ServiceEndpoint redis;

	private LocalServices() {
	}

	public static synchronized ServiceEndpoint postgres() {
		if (postgres == null) {
			ServiceEndpoint local = new ServiceEndpoint(ServiceEndpoint.env("PGHOST", "127.0.0.1"),
					Integer.parseInt(ServiceEndpoint.env("PGPORT", "5432")), ServiceEndpoint.env("PGUSER", "postgres"),
					ServiceEndpoint.env("PGPASSWORD", ""));
			postgres = useContainer(local, "PostgreSQL") ? startPostgresContainer() : local;
		}
		return postgres;
	}

	public static synchronized ServiceEndpoint redis() {
		if (redis == null) {
			ServiceEndpoint local = new ServiceEndpoint(ServiceEndpoint.env("REDIS_HOST", "127.0.0.1"),
					Integer.parseInt(ServiceEndpoint.env("REDIS_PORT", "6379")), "", "");
			redis = useContainer(local, "Redis") ? startRedisContainer() : local;
		}
		return redis;
	}

	private static boolean useContainer(ServiceEndpoint local, String name) {
		String mode = ServiceEndpoint.env("KILN_TEST_SERVICES", "auto");
		if (mode.equals("containers")) {
			return true;
		}
		if (local.isReachable()) {
			return false;
		}
		if (!mode.equals("local") && DockerClientFactory.instance().isDockerAvailable()) {
			log.info("{} is not reachable at {}:{}; starting a container", name, local.host(), local.port());
			return true;
		}
		throw new IllegalStateException(name + " is not reachable at " + local.host() + ":" + local.port()
				+ " and no Docker engine is available: start the local service (see README, Prerequisites)");
	}

	@SuppressWarnings("resource") // lives as long as the JVM; Testcontainers' reaper removes it
	private static ServiceEndpoint startPostgresContainer() {
		PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");
		container.start();
		return new ServiceEndpoint(container.getHost(), container.getMappedPort(5432), container.getUsername(),
				container.getPassword());
	}

	@SuppressWarnings("resource")
	private static ServiceEndpoint startRedisContainer() {
		GenericContainer<?> container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
		container.start();
		return new ServiceEndpoint(container.getHost(), container.getMappedPort(6379), "", "");
	}
}
