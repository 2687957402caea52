package dev.kiln.accounts;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

import dev.kiln.platform.web.Problems;

/** 401 and 403 of the resource server, as problem details with the RFC 6750 challenge. */
class CredentialFailure extends ErrorResponseException {

	private CredentialFailure(HttpStatus status, String code, String detail, String challenge) {
		super(status, Problems.of(status, code, detail), null);
		getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
	}

	static CredentialFailure missing() {
		return new CredentialFailure(HttpStatus.UNAUTHORIZED, "unauthorized",
				"Send a Kiln access token or API key as 'Authorization: Bearer <token>'.", "Bearer realm=\"kiln\"");
	}

	static CredentialFailure invalid(String why) {
		return new CredentialFailure(HttpStatus.UNAUTHORIZED, "invalid_token", why,
				"Bearer realm=\"kiln\", error=\"invalid_token\"");
	}

	static CredentialFailure forbidden(String why) {
		return new CredentialFailure(HttpStatus.FORBIDDEN, "insufficient_scope", why,
				"Bearer realm=\"kiln\", error=\"insufficient_scope\"");
	}
}
