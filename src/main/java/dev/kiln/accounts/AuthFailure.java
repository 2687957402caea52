package dev.kiln.accounts;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

import dev.kiln.platform.web.Problems;

/** A sign-in or refresh that did not succeed: 401 with a code, and never a hint whether the account exists. */
class AuthFailure extends ErrorResponseException {

	private AuthFailure(String code, String detail) {
		super(HttpStatus.UNAUTHORIZED, Problems.of(HttpStatus.UNAUTHORIZED, code, detail), null);
		getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kiln\"");
	}

	static AuthFailure invalidCredentials() {
		return new AuthFailure("invalid_credentials", "The email or the password is wrong.");
	}

	static AuthFailure invalidRefreshToken() {
		return new AuthFailure("invalid_refresh_token", "The refresh token is unknown, expired or revoked; sign in again.");
	}

	static AuthFailure refreshTokenReused() {
		return new AuthFailure("refresh_token_reused",
				"This refresh token was already used, so it may have leaked: every token of this session is now revoked. Sign in again.");
	}
}
