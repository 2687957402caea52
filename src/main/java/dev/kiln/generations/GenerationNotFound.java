package dev.kiln.generations;

import java.util.UUID;

import dev.kiln.platform.web.Problems;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** 404: the caller has no generation with this id (another user's job is answered the same way). */
final class GenerationNotFound extends ErrorResponseException {

	GenerationNotFound(UUID id) {
		super(HttpStatus.NOT_FOUND, Problems.of(HttpStatus.NOT_FOUND, "not_found", "You have no generation " + id + "."),
				null);
	}
}
