package dev.kiln.platform.ratelimit;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.springframework.web.server.ServerWebExchange;

/**
 * The address a request came from, after Spring's forwarded-header handling when it is enabled
 * ({@code server.forward-headers-strategy}). Prefixed so it can never collide with a principal name.
 */
public final class ClientAddress {

	private ClientAddress() {
	}

	public static String of(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		if (remote == null) {
			return "ip:unknown";
		}
		InetAddress address = remote.getAddress();
		return "ip:" + (address == null ? remote.getHostString() : address.getHostAddress());
	}
}
