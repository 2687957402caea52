package dev.kiln.generations;

import dev.kiln.platform.web.Problems;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** 429: the user already has as many open streams on this replica as allowed. */
final class TooManyStreams extends ErrorResponseException {

	TooManyStreams(int max) {
		super(HttpStatus.TOO_MANY_REQUESTS, Problems.of(HttpStatus.TOO_MANY_REQUESTS, "too_many_streams",
				"You already have " + max + " open event streams; close one (or use the stream of all your jobs) first."),
				null);
	}
}
