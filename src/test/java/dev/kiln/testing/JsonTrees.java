package dev.kiln.testing;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** JSON as ordered trees of maps, lists, strings, numbers, booleans and nulls, as the provider emulators speak it. */
public final class JsonTrees {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private JsonTrees() {
	}

	/** An ordered object from alternating keys and values; entries whose value is null are left out. */
	public static Map<String, Object> object(Object... keysAndValues) {
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
	public static Map<String, Object> readObject(byte[] body) {
		return readObject(new String(body, StandardCharsets.UTF_8));
	}

	/** The body as a JSON object, or null when it is not one (malformed, an array, a scalar). */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> readObject(String body) {
		try {
			Object value = MAPPER.readValue(body, Object.class);
			return value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/** The member as an object, or an empty one when it is absent or not an object. */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> objectAt(Map<String, Object> parent, String key) {
		return parent.get(key) instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
	}

	/** The member as a list, or an empty one when it is absent or not a list. */
	public static List<?> listAt(Map<String, Object> parent, String key) {
		return parent.get(key) instanceof List<?> list ? list : List.of();
	}

	public static String write(Object value) {
		return new String(MAPPER.writeValueAsBytes(value), StandardCharsets.UTF_8);
	}
}
