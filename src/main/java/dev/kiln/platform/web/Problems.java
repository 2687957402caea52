package dev.kiln.platform.web;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.server.ServerWebExchange;

/**
 * RFC 9457 problem details with Kiln's stable codes: {@code type} is {@code urn:kiln:problem:<code>} and
 * {@code code} repeats it for clients that switch on a plain string. Field errors go in {@code errors}.
 */
public final class Problems {

	private static final String TYPE_PREFIX = "urn:kiln:problem:";

	private Problems() {
	}

	public static ProblemDetail of(HttpStatusCode status, String code, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(TYPE_PREFIX + code));
		problem.setProperty("code", code);
		return problem;
	}

	/** A 400 (or other status) that names each offending field and why it was refused. */
	public static ProblemDetail invalid(HttpStatusCode status, String code, List<FieldProblem> errors) {
		String detail = errors.stream()
			.map(error -> "'" + error.field() + "' " + error.reason())
			.reduce((a, b) -> a + "; " + b)
			.map(joined -> "Invalid request: " + joined + ".")
			.orElse("Invalid request.");
		ProblemDetail problem = of(status, code, detail);
		problem.setProperty("errors", errors);
		return problem;
	}

	/** Fills what every Kiln problem carries: a code, the path as {@code instance}, the request id. */
	static ProblemDetail complete(ProblemDetail problem, ServerWebExchange exchange) {
		if (problem.getProperties() == null || !problem.getProperties().containsKey("code")) {
			String code = defaultCode(problem.getStatus());
			problem.setType(URI.create(TYPE_PREFIX + code));
			problem.setProperty("code", code);
		}
		if (problem.getInstance() == null) {
			problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
		}
		String requestId = RequestIds.of(exchange);
		if (requestId != null) {
			problem.setProperty(RequestIds.KEY, requestId);
		}
		return problem;
	}

	private static String defaultCode(int status) {
		HttpStatus known = HttpStatus.resolve(status);
		return known == null ? "http_" + status : known.name().toLowerCase(Locale.ROOT);
	}

	/** One refused field: its JSON name (or parameter name) and the reason. */
	public record FieldProblem(String field, String reason, @Nullable Object rejectedValue) {

		public static FieldProblem of(String field, String reason) {
			return new FieldProblem(field, reason, null);
		}
	}
}
