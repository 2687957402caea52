package dev.kiln.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/** The JDK's HTTP server on a free port of 127.0.0.1 with an executor of its own, for the provider emulators. */
public final class LoopbackHttpServer implements AutoCloseable {

	private final HttpServer server;

	private final ExecutorService executor;

	/** Serves every path with {@code handler}, on {@code executor}, from now until {@link #close()}. */
	public LoopbackHttpServer(HttpServer server, ExecutorService executor, HttpHandler handler) {
		this.server = server;
		this.executor = executor;
		server.createContext("/", handler);
		server.setExecutor(executor);
		server.start();
	}

	/** A server on a free port of 127.0.0.1, not yet started (so its port can be known first). */
	public static HttpServer bind() {
		try {
			InetAddress loopback = InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 });
			return HttpServer.create(new InetSocketAddress(loopback, 0), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		server.stop(0);
		executor.shutdownNow();
	}
}
