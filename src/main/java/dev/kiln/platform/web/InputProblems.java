package dev.kiln.platform.web;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.exc.MismatchedInputException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.server.ServerWebInputException;

/**
 * Turns a request that could not be read (bad JSON, a value of the wrong type, no body) into a
 * problem that names the field and the reason, without echoing parser internals or the body.
 */
final class InputProblems {

	private InputProblems() {
	}

	static ProblemDetail describe(ServerWebInputException ex, HttpStatusCode status) {
		JacksonException json = find(ex, JacksonException.class);
		if (json instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
			String field = path(mismatch);
			return Problems.invalid(status, "invalid_field",
					List.of(Problems.FieldProblem.of(field, "must be " + expected(mismatch.getTargetType()))));
		}
		if (json != null) {
			return Problems.of(status, "malformed_json", "The request body is not valid JSON: "
					+ firstLine(json.getOriginalMessage()) + where(json.getLocation()) + ".");
		}
		TypeMismatchException typeMismatch = find(ex, TypeMismatchException.class);
		MethodParameter parameter = ex.getMethodParameter();
		if (typeMismatch != null && parameter != null && parameter.getParameterName() != null) {
			return Problems.invalid(status, "invalid_parameter", List.of(Problems.FieldProblem
				.of(parameter.getParameterName(), "must be " + expected(typeMismatch.getRequiredType()))));
		}
		String reason = ex.getReason();
		if (reason != null && reason.startsWith("No request body")) {
			return Problems.of(status, "missing_body", "A JSON request body is required.");
		}
		return Problems.of(status, "malformed_request", reason == null ? "The request could not be read." : reason);
	}

	private static String path(JacksonException ex) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : ex.getPath()) {
			if (reference.getPropertyName() != null) {
				path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.toString();
	}

	private static String expected(@Nullable Class<?> type) {
		if (type == null) {
			return "a valid value";
		}
		if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
			return "a number";
		}
		if (type == Boolean.class || type == boolean.class) {
			return "true or false";
		}
		if (CharSequence.class.isAssignableFrom(type)) {
			return "a string";
		}
		if (type == UUID.class) {
			return "a UUID";
		}
		if (type.isEnum()) {
			return "one of " + Arrays.stream(type.getEnumConstants())
				.map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT))
				.collect(Collectors.joining(", ", "[", "]"));
		}
		if (type.isArray() || Collection.class.isAssignableFrom(type)) {
			return "an array";
		}
		if (Map.class.isAssignableFrom(type) || type.isRecord()) {
			return "an object";
		}
		return "a valid value";
	}

	private static String firstLine(@Nullable String message) {
		if (message == null || message.isBlank()) {
			return "it could not be parsed";
		}
		int end = message.indexOf('\n');
		return (end < 0 ? message : message.substring(0, end)).strip();
	}

	private static String where(@Nullable TokenStreamLocation location) {
		return location == null || location.getLineNr() < 0 ? ""
				: " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
	}

	private static <T extends Throwable> @Nullable T find(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return null;
	}
}
