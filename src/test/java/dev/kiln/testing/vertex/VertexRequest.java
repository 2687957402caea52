package dev.kiln.testing.vertex;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kiln.testing.JsonTrees;

/**
 * One call that reached a model's path, as the emulator saw it, whatever it answered.
 *
 * @param apiVersion {@code v1beta1} (what google-genai sends) or {@code v1}
 * @param method {@code generateContent}, {@code streamGenerateContent} or {@code predict} (Imagen)
 * @param body the request body as sent
 * @param headers every header, names in lower case; {@code authorization} and {@code x-goog-api-key}
 * values are replaced by {@value VertexRequest#REDACTED}, so no credential is kept
 * @param status the HTTP status answered (200 also for a stream that was then cut)
 */
public record VertexRequest(Instant receivedAt, String apiVersion, String project, String location,
		String publisher, String model, String method, String body, Map<String, List<String>> headers,
		int status) {

	/** What a credential header's value is recorded as. */
	public static final String REDACTED = "[redacted]";

	public VertexRequest {
		headers = Map.copyOf(headers);
	}

	/** The body parsed as a JSON object (maps, lists, strings, numbers), or null if it is not one. */
	public Map<String, Object> json() {
		return JsonTrees.readObject(body);
	}

	/** The first value of the header (any case), or null. */
	public String header(String name) {
		List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
		return values == null || values.isEmpty() ? null : values.getFirst();
	}
}
