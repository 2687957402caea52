package dev.kiln.testing.stripe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** Stripe objects are kept as ordered JSON trees (maps, lists, strings, numbers, booleans, nulls). */
final class Json {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private Json() {
	}

	/** An ordered object from alternating keys and values; unlike {@code Map.of}, values may be null. */
	static Map<String, Object> object(Object... keysAndValues) {
		if (keysAndValues.length % 2 != 0) {
			throw new IllegalArgumentException("Keys and values must pair up");
		}
		Map<String, Object> object = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			object.put((String) keysAndValues[i], keysAndValues[i + 1]);
		}
		return object;
	}

	/** A list object as Stripe nests it inside resources ({@code items}, {@code lines}). */
	static Map<String, Object> list(String url, List<?> data) {
		return object("object", "list", "data", new ArrayList<>(data), "has_more", false, "total_count", data.size(),
				"url", url);
	}

	@SuppressWarnings("unchecked")
	static Object deepCopy(Object value) {
		if (value instanceof Map<?, ?> map) {
			Map<String, Object> copy = new LinkedHashMap<>();
			((Map<String, Object>) map).forEach((key, item) -> copy.put(key, deepCopy(item)));
			return copy;
		}
		if (value instanceof List<?> list) {
			List<Object> copy = new ArrayList<>(list.size());
			list.forEach(item -> copy.add(deepCopy(item)));
			return copy;
		}
		return value;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> copyOf(Map<String, Object> object) {
		return (Map<String, Object>) deepCopy(object);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> child(Map<String, Object> object, String key) {
		return (Map<String, Object>) object.get(key);
	}

	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> data(Map<String, Object> listObject) {
		return (List<Map<String, Object>>) listObject.get("data");
	}

	static String write(Object value) {
		return new String(MAPPER.writeValueAsBytes(value), StandardCharsets.UTF_8);
	}
}
