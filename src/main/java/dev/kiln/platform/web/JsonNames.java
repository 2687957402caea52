package dev.kiln.platform.web;

/** Kiln's JSON is snake_case everywhere; errors name fields as the client wrote them. */
final class JsonNames {

	private JsonNames() {
	}

	/** {@code items[0].unitPrice} becomes {@code items[0].unit_price}. */
	static String of(String javaPath) {
		StringBuilder json = new StringBuilder();
		for (String part : javaPath.split("\\.", -1)) {
			int bracket = part.indexOf('[');
			String name = bracket < 0 ? part : part.substring(0, bracket);
			json.append(json.isEmpty() ? "" : ".").append(snakeCase(name));
			if (bracket >= 0) {
				json.append(part.substring(bracket));
			}
		}
		return json.toString();
	}

	/** Jackson's SNAKE_CASE rule: {@code unitPrice} → {@code unit_price}, {@code userID} → {@code user_id}. */
	static String snakeCase(String name) {
		StringBuilder snake = new StringBuilder(name.length() + 4);
		boolean previousUpper = true;
		for (char c : name.toCharArray()) {
			boolean upper = Character.isUpperCase(c);
			if (upper && !previousUpper && !snake.isEmpty() && snake.charAt(snake.length() - 1) != '_') {
				snake.append('_');
			}
			snake.append(Character.toLowerCase(c));
			previousUpper = upper;
		}
		return snake.toString();
	}
}
