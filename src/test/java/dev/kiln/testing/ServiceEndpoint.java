package dev.kiln.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Where a server listens, with the credentials tests use (local trust auth, or a container's). */
public record ServiceEndpoint(String host, int port, String user, String password) {

	boolean isReachable() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static String env(String name, String fallback) {
		String value = System.getenv(name);
		return value == null || value.isBlank() ? fallback : value;
	}
}
