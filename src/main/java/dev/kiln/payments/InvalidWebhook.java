package dev.kiln.payments;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

import dev.kiln.platform.web.Problems;

/** A webhook whose signature, timestamp or body does not hold: 400, and nothing changes. */
class InvalidWebhook extends ErrorResponseException {

	InvalidWebhook(String detail, Throwable cause) {
		super(HttpStatus.BAD_REQUEST, Problems.of(HttpStatus.BAD_REQUEST, "invalid_webhook", detail), cause);
	}
}
