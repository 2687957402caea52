package dev.kiln.testing.runpod;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** RunPod's JSON as ordered trees of maps, lists, strings, numbers, booleans and nulls. */
final class Json {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private Json() {
	}

	/** An ordered object from alternating keys and values; entries whose value is null are left out. */
	static Map<String, Object> object(Object... keysAndValues) {
		if (keysAndValues.length % 2 != 0) {
			throw new IllegalArgumentException("Keys and values must pair up");
		}
		Map<String, Object> object = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			if (keysAndValues[i + 1] != null) {
				object.put((String) keysAndValues[i], keysAndValues[i + 1]);
			}
		}
		return object;
	}

	/** The body as a JSON object, or null when it is not one (malformed, an array, a scalar). */
	@SuppressWarnings("unchecked")
	static Map<String, Object> readObject(byte[] body) {
		try {
			Object value = MAPPER.readValue(body, Object.class);
			return value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	static String write(Object value) {
		return new String(MAPPER.writeValueAsBytes(value), StandardCharsets.UTF_8);
	}
}
