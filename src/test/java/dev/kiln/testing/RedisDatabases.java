package dev.kiln.testing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gives each test context one of Redis's numbered databases (1 to 15; 0 is left to local runs), emptied
 * first, so that contexts running side by side never see each other's keys.
 */
public final class RedisDatabases {

	private static final AtomicInteger next = new AtomicInteger();

	private RedisDatabases() {
	}

	public static int claim() {
		int database = 1 + Math.floorMod(next.getAndIncrement(), 15);
		flush(LocalServices.redis(), database);
		return database;
	}

	private static void flush(ServiceEndpoint redis, int database) {
		List<String> replies = RedisCommands.send(redis.host(), redis.port(),
				List.of(List.of("SELECT", Integer.toString(database)), List.of("FLUSHDB")));
		if (!replies.equals(List.of("+OK", "+OK"))) {
			throw new IllegalStateException("Redis refused SELECT/FLUSHDB: " + replies);
		}
	}
}
