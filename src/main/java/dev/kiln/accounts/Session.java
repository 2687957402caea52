package dev.kiln.accounts;

import java.time.Instant;

/** What a successful sign-in or refresh hands out. */
record Session(String accessToken, Instant accessTokenExpiresAt, String refreshToken) {

	@Override
	public String toString() {
		return "Session[expiresAt=" + accessTokenExpiresAt + "]";
	}
}
