package dev.kiln.testing.vertex;

import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import com.sun.net.httpserver.HttpExchange;

/** Request headers as recorded, and the ids the emulator makes. */
final class Headers {

	private static final Set<String> CREDENTIALS = Set.of("authorization", "x-goog-api-key");

	private Headers() {
	}

	/** Every request header, names in lower case, credential values replaced by {@link VertexRequest#REDACTED}. */
	static Map<String, List<String>> redacted(HttpExchange exchange) {
		Map<String, List<String>> headers = new LinkedHashMap<>();
		exchange.getRequestHeaders().forEach((name, values) -> {
			String key = name.toLowerCase(Locale.ROOT);
			headers.put(key, CREDENTIALS.contains(key)
					? values.stream().map(value -> VertexRequest.REDACTED).toList() : List.copyOf(values));
		});
		return headers;
	}

	/** A response id like Vertex's: 22 URL-safe base64 characters. */
	static String responseId() {
		byte[] bytes = new byte[16];
		ThreadLocalRandom.current().nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** An access token for one emulator; plainly fake, nothing like a real Google token. */
	static String accessToken() {
		byte[] bytes = new byte[12];
		ThreadLocalRandom.current().nextBytes(bytes);
		return "kiln-vertex-emulator-token-" + HexFormat.of().formatHex(bytes);
	}
}
