package dev.kiln.platform.web;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** A 400 naming one field (or parameter) of the request and why it was refused. */
public class InvalidField extends ErrorResponseException {

	public InvalidField(String field, String reason) {
		super(HttpStatus.BAD_REQUEST,
				Problems.invalid(HttpStatus.BAD_REQUEST, "validation_failed", List.of(Problems.FieldProblem.of(field, reason))),
				null);
	}
}
