package dev.kiln.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Commands sent to Redis on a plain socket of their own, outside any client Kiln uses: for test set-up,
 * and for what a client must not see coming (a server busy in a script). Simple replies only.
 */
public final class RedisCommands {

	private RedisCommands() {
	}

	/** Sends the commands in order on one connection and returns the first line of each reply. */
	public static List<String> send(String host, int port, List<List<String>> commands) {
		StringBuilder request = new StringBuilder();
		for (List<String> command : commands) {
			request.append('*').append(command.size()).append("\r\n");
			for (String part : command) {
				request.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
			}
		}
		try (Socket socket = new Socket(host, port)) {
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = socket.getInputStream();
			List<String> replies = new ArrayList<>();
			for (int i = 0; i < commands.size(); i++) {
				replies.add(readLine(in));
			}
			return replies;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
			if (c != '\r') {
				line.append((char) c);
			}
		}
		return line.toString();
	}
}
