package dev.kiln.platform.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy to a real server that can stop passing replies on, as a server that hangs would: the
 * connection stays up, requests arrive, nothing comes back. Runs on plain threads, never event loops.
 */
final class FreezableProxy implements AutoCloseable {

	private final ServerSocket server;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile boolean frozen;

	FreezableProxy(String host, int port) throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread.ofPlatform().daemon().name("proxy-accept").start(() -> {
			while (!server.isClosed()) {
				try {
					Socket client = server.accept();
					Socket upstream = new Socket(host, port);
					sockets.add(client);
					sockets.add(upstream);
					pump(client, upstream, false);
					pump(upstream, client, true);
				}
				catch (IOException ex) {
					return;
				}
			}
		});
	}

	int port() {
		return server.getLocalPort();
	}

	void freeze() {
		frozen = true;
	}

	private void pump(Socket from, Socket to, boolean replies) {
		Thread.ofPlatform().daemon().name("proxy-pump").start(() -> {
			byte[] buffer = new byte[8192];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (!(replies && frozen)) {
						out.write(buffer, 0, read);
						out.flush();
					}
				}
			}
			catch (IOException ex) {
				// a side closed: the other pump ends too once its socket is closed
			}
		});
	}

	@Override
	public void close() throws IOException {
		server.close();
		for (Socket socket : sockets) {
			socket.close();
		}
	}
}
