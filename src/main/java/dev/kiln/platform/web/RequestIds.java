package dev.kiln.platform.web;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;

/** The id that ties a request's response, problem details and log lines together. */
public final class RequestIds {

	public static final String HEADER = "X-Request-Id";

	/** Key of the id in the Reactor context and in the logging MDC. */
	public static final String KEY = "request_id";

	static final String ATTRIBUTE = RequestIds.class.getName();

	private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

	private RequestIds() {
	}

	/** Takes the caller's id when it is well-formed (safe to log and echo), otherwise a new one. */
	static String assign(ServerWebExchange exchange) {
		String offered = exchange.getRequest().getHeaders().getFirst(HEADER);
		String id = offered != null && WELL_FORMED.matcher(offered).matches() ? offered : generate();
		exchange.getAttributes().put(ATTRIBUTE, id);
		return id;
	}

	/**
	 * A random (version 4) UUID. Request ids need uniqueness, not secrecy, so this uses the thread's
	 * fast generator instead of {@link UUID#randomUUID()}, whose SecureRandom may block on entropy.
	 */
	static String generate() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long high = (random.nextLong() & ~0xF000L) | 0x4000L;
		long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		return new UUID(high, low).toString();
	}

	public static @Nullable String of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}
}
