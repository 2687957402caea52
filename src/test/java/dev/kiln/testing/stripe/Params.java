package dev.kiln.testing.stripe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Request parameters in Stripe's form encoding ({@code line_items[0][price_data][unit_amount]=799},
 * {@code metadata[user_id]=42}, {@code types[]=a} or {@code types[0]=a}), decoded into a tree. Readers
 * name a parameter by its key under this node; errors name it in full, as Stripe's {@code param} does.
 */
final class Params {

	private final String prefix;

	private final Map<String, Object> values;

	private Params(String prefix, Map<String, Object> values) {
		this.prefix = prefix;
		this.values = values;
	}

	/** Decodes and merges query strings and form bodies; a null or empty part is skipped. */
	static Params parse(String... encodedParts) {
		Map<String, Object> root = new LinkedHashMap<>();
		for (String[] pair : pairs(encodedParts)) {
			insert(root, pair[0], pair[1]);
		}
		return new Params("", listify(root));
	}

	/** The decoded pairs in a stable order, to tell whether two requests had the same parameters. */
	static List<String> canonical(String... encodedParts) {
		return pairs(encodedParts).stream().map(pair -> pair[0] + "=" + pair[1]).sorted().toList();
	}

	Set<String> keys() {
		return values.keySet();
	}

	boolean has(String key) {
		return values.containsKey(key);
	}

	/** This node's own name, {@code line_items[0]}; empty for the request itself. */
	String path() {
		return prefix;
	}

	boolean isObject(String key) {
		return values.get(key) instanceof Map<?, ?>;
	}

	String name(String key) {
		return prefix.isEmpty() ? key : prefix + "[" + key + "]";
	}

	String string(String key) {
		Object value = values.get(key);
		if (value == null) {
			return null;
		}
		if (!(value instanceof String string)) {
			throw StripeApiException.invalid(null, name(key), "Invalid string: " + Json.write(value));
		}
		return string;
	}

	/** A string that, when given, must not be empty (Stripe reads an empty value as an attempt to unset). */
	String nonEmptyString(String key) {
		String value = string(key);
		if (value != null && value.isEmpty()) {
			throw StripeApiException.invalid("parameter_invalid_empty", name(key), "You passed an empty string for '"
					+ name(key) + "'. We assume empty values are an attempt to unset a parameter; however '" + name(key)
					+ "' cannot be unset. You should remove '" + name(key)
					+ "' from your request or supply a non-empty value.");
		}
		return value;
	}

	String requiredString(String key) {
		String value = nonEmptyString(key);
		if (value == null) {
			throw StripeApiException.missingParam(name(key));
		}
		return value;
	}

	String oneOf(String key, String... allowed) {
		String value = nonEmptyString(key);
		if (value != null && !Arrays.asList(allowed).contains(value)) {
			throw StripeApiException.invalid(null, name(key), "Invalid " + name(key) + ": must be one of "
					+ String.join(", ", allowed));
		}
		return value;
	}

	Long optionalLong(String key) {
		String value = nonEmptyString(key);
		if (value == null) {
			return null;
		}
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			throw StripeApiException.invalid("parameter_invalid_integer", name(key), "Invalid integer: " + value);
		}
	}

	long requiredLong(String key) {
		Long value = optionalLong(key);
		if (value == null) {
			throw StripeApiException.missingParam(name(key));
		}
		return value;
	}

	Params child(String key) {
		Object value = values.get(key);
		if (value == null) {
			return null;
		}
		if (!(value instanceof Map<?, ?>)) {
			throw StripeApiException.invalid(null, name(key), "Invalid object");
		}
		return new Params(name(key), asMap(value));
	}

	/** The objects of an array parameter, each named with its index. */
	List<Params> children(String key) {
		Object value = values.get(key);
		if (value == null) {
			return List.of();
		}
		if (!(value instanceof List<?> list)) {
			throw StripeApiException.invalid(null, name(key), "Invalid array");
		}
		List<Params> children = new ArrayList<>();
		for (int i = 0; i < list.size(); i++) {
			if (!(list.get(i) instanceof Map<?, ?>)) {
				throw StripeApiException.invalid(null, name(key) + "[" + i + "]", "Invalid object");
			}
			children.add(new Params(name(key) + "[" + i + "]", asMap(list.get(i))));
		}
		return children;
	}

	/** An array of strings; a single string is read as an array of one. */
	List<String> strings(String key) {
		Object value = values.get(key);
		if (value == null) {
			return List.of();
		}
		if (value instanceof String string) {
			return List.of(string);
		}
		if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
			throw StripeApiException.invalid(null, name(key), "Invalid array");
		}
		return list.stream().map(String.class::cast).toList();
	}

	/** Metadata under Stripe's limits: 50 keys, keys up to 40 characters, values up to 500; empty values unset. */
	Map<String, String> metadata(String key) {
		Params metadata = child(key);
		Map<String, String> result = new LinkedHashMap<>();
		if (metadata == null) {
			return result;
		}
		for (String entry : metadata.keys()) {
			String value = metadata.string(entry);
			if (entry.length() > 40) {
				throw StripeApiException.invalid(null, metadata.name(entry),
						"Metadata keys can have up to 40 characters, but you passed in a key that is " + entry.length()
								+ " characters.");
			}
			if (value.length() > 500) {
				throw StripeApiException.invalid(null, metadata.name(entry),
						"Metadata values can have up to 500 characters, but you passed in a value that is "
								+ value.length() + " characters.");
			}
			if (!value.isEmpty()) {
				result.put(entry, value);
			}
		}
		if (result.size() > 50) {
			throw StripeApiException.invalid(null, name(key), "You can specify up to 50 keys in metadata.");
		}
		return result;
	}

	private static List<String[]> pairs(String... encodedParts) {
		List<String[]> pairs = new ArrayList<>();
		for (String encoded : encodedParts) {
			if (encoded == null || encoded.isEmpty()) {
				continue;
			}
			for (String pair : encoded.split("&")) {
				if (pair.isEmpty()) {
					continue;
				}
				int equals = pair.indexOf('=');
				String key = decode(equals < 0 ? pair : pair.substring(0, equals));
				String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
				pairs.add(new String[] { key, value });
			}
		}
		return pairs;
	}

	private static String decode(String text) {
		return URLDecoder.decode(text, StandardCharsets.UTF_8);
	}

	// "a[b][0][]" becomes the path a, b, 0, "" where "" appends the next index.
	private static void insert(Map<String, Object> root, String key, String value) {
		List<String> path = new ArrayList<>();
		int bracket = key.indexOf('[');
		path.add(bracket < 0 ? key : key.substring(0, bracket));
		while (bracket >= 0) {
			int close = key.indexOf(']', bracket);
			if (close < 0) {
				throw StripeApiException.invalid(null, key, "Invalid parameter name: " + key);
			}
			path.add(key.substring(bracket + 1, close));
			bracket = key.indexOf('[', close);
		}
		Map<String, Object> node = root;
		for (int i = 0; i < path.size(); i++) {
			String segment = path.get(i).isEmpty() ? Integer.toString(node.size()) : path.get(i);
			boolean last = i == path.size() - 1;
			Object existing = node.get(segment);
			if (last) {
				if (existing instanceof Map<?, ?>) {
					throw StripeApiException.invalid(null, key, "Invalid parameter: " + key + " is an object");
				}
				node.put(segment, value);
			}
			else {
				if (existing instanceof String) {
					throw StripeApiException.invalid(null, key, "Invalid parameter: " + key + " is not an object");
				}
				if (existing == null) {
					existing = new LinkedHashMap<String, Object>();
					node.put(segment, existing);
				}
				node = asMap(existing);
			}
		}
	}

	// Objects whose keys are all indexes are arrays; their elements keep the order of the indexes.
	private static Map<String, Object> listify(Map<String, Object> node) {
		node.replaceAll((key, value) -> value instanceof Map<?, ?> child ? listifyValue(asMap(child)) : value);
		return node;
	}

	private static Object listifyValue(Map<String, Object> node) {
		listify(node);
		if (node.isEmpty() || !node.keySet().stream().allMatch(key -> key.matches("\\d{1,6}"))) {
			return node;
		}
		List<Map.Entry<String, Object>> entries = new ArrayList<>(node.entrySet());
		entries.sort((a, b) -> Integer.compare(Integer.parseInt(a.getKey()), Integer.parseInt(b.getKey())));
		return new ArrayList<>(entries.stream().map(Map.Entry::getValue).toList());
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> asMap(Object value) {
		return (Map<String, Object>) value;
	}
}
