package dev.kiln.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
		try (Socket socket = new Socket(redis.host(), redis.port())) {
			OutputStream out = socket.getOutputStream();
			String db = Integer.toString(database);
			out.write(("*2\r\n$6\r\nSELECT\r\n$" + db.length() + "\r\n" + db + "\r\n*1\r\n$7\r\nFLUSHDB\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			String replies = readLines(in, 2);
			if (!replies.equals("+OK\r\n+OK\r\n")) {
				throw new IllegalStateException("Redis refused SELECT/FLUSHDB: " + replies.strip());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String readLines(InputStream in, int lines) throws IOException {
		StringBuilder text = new StringBuilder();
		int seen = 0;
		while (seen < lines) {
			int c = in.read();
			if (c < 0) {
				break;
			}
			text.append((char) c);
			if (c == '\n') {
				seen++;
			}
		}
		return text.toString();
	}
}
