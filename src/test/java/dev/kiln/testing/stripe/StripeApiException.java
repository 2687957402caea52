package dev.kiln.testing.stripe;

import java.util.Map;

/**
 * A failed API request, rendered as Stripe's error object:
 * {@code {"error": {"type", "code", "message", "param", "doc_url"}}} with the HTTP status Stripe uses.
 */
final class StripeApiException extends RuntimeException {

	private final int status;

	private final String type;

	private final String code;

	private final String param;

	StripeApiException(int status, String type, String code, String param, String message) {
		super(message);
		this.status = status;
		this.type = type;
		this.code = code;
		this.param = param;
	}

	static StripeApiException invalid(String code, String param, String message) {
		return new StripeApiException(400, "invalid_request_error", code, param, message);
	}

	static StripeApiException missingParam(String param) {
		return invalid("parameter_missing", param, "Missing required param: " + param + ".");
	}

	/** 404 for the resource named by the URL, 400 for one named by a request parameter. */
	static StripeApiException noSuch(String objectType, String id, String param) {
		int status = "id".equals(param) ? 404 : 400;
		return new StripeApiException(status, "invalid_request_error", "resource_missing", param,
				"No such " + objectType + ": '" + id + "'");
	}

	int status() {
		return status;
	}

	Map<String, Object> body() {
		Map<String, Object> error = Json.object("type", type);
		if (code != null) {
			error.put("code", code);
			error.put("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
		}
		error.put("message", getMessage());
		if (param != null) {
			error.put("param", param);
		}
		return Json.object("error", error);
	}
}
