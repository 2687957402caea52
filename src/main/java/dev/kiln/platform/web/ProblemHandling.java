package dev.kiln.platform.web;

import java.util.List;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * Renders every error that reaches the dispatcher (unknown path and wrong method included) as problem
 * details with a clear detail. Errors raised before it, in filters, are rendered by
 * {@link ProblemWebExceptionHandler}.
 */
@RestControllerAdvice
class ProblemHandling extends ResponseEntityExceptionHandler {

	@Override
	protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		return handleExceptionInternal(ex, InputProblems.describe(ex, status), headers, status, exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleWebExchangeBindException(WebExchangeBindException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		List<Problems.FieldProblem> errors = Stream.concat(
				ex.getFieldErrors().stream().map(ProblemHandling::fieldProblem),
				ex.getGlobalErrors().stream().map(error -> Problems.FieldProblem.of(error.getObjectName(), message(error))))
			.toList();
		return handleExceptionInternal(ex, Problems.invalid(status, "validation_failed", errors), headers, status,
				exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		List<Problems.FieldProblem> errors = ex.getParameterValidationResults()
			.stream()
			.flatMap(result -> result.getResolvableErrors()
				.stream()
				.map(error -> Problems.FieldProblem.of(parameterName(result.getMethodParameter().getParameterName()),
						message(error))))
			.toList();
		return handleExceptionInternal(ex, Problems.invalid(status, "validation_failed", errors), headers, status,
				exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleMethodNotAllowedException(MethodNotAllowedException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		ProblemDetail problem = Problems.of(status, "method_not_allowed", "Method " + ex.getHttpMethod() + " is not allowed on "
				+ exchange.getRequest().getPath().value() + "; allowed: " + ex.getSupportedMethods() + ".");
		return handleExceptionInternal(ex, problem, headers, status, exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleUnsupportedMediaTypeStatusException(
			UnsupportedMediaTypeStatusException ex, HttpHeaders headers, HttpStatusCode status,
			ServerWebExchange exchange) {
		String sent = ex.getContentType() == null ? "no Content-Type" : "Content-Type '" + ex.getContentType() + "'";
		ProblemDetail problem = Problems.of(status, "unsupported_media_type",
				sent + " is not supported here; send " + ex.getSupportedMediaTypes() + ".");
		return handleExceptionInternal(ex, problem, headers, status, exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleResponseStatusException(ResponseStatusException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		if (status.value() == 404) {
			ProblemDetail problem = Problems.of(status, "not_found", "Nothing is served at "
					+ exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath().value() + ".");
			return handleExceptionInternal(ex, problem, headers, status, exchange);
		}
		return super.handleResponseStatusException(ex, headers, status, exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, @Nullable Object body,
			@Nullable HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		Object completed = body instanceof ProblemDetail problem ? Problems.complete(problem, exchange) : body;
		return super.handleExceptionInternal(ex, completed, headers, status, exchange);
	}

	private static Problems.FieldProblem fieldProblem(FieldError error) {
		return Problems.FieldProblem.of(JsonNames.of(error.getField()), message(error));
	}

	private static String parameterName(@Nullable String name) {
		return name == null ? "parameter" : JsonNames.of(name);
	}

	private static String message(MessageSourceResolvable error) {
		return error.getDefaultMessage() == null ? "is invalid" : error.getDefaultMessage();
	}
}
