package dev.kiln.platform.security;

import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Who is calling: the user, their role, what this credential may do, and how they signed in.
 * {@code sessionId} is the refresh-token family of a signed-in session; {@code apiKeyId} is set for
 * API keys. Controllers take it with {@code @AuthenticationPrincipal}.
 */
public record KilnPrincipal(UUID userId, Role role, Set<Scope> scopes, Method method, @Nullable UUID sessionId,
		@Nullable String apiKeyId) {

	public enum Method {
		/** Kiln's own access token (email and password sign-in). */
		SESSION,
		/** A token from a configured external OIDC issuer. */
		EXTERNAL,
		API_KEY,
		/** A single-use stream ticket: reads generations, nothing else. */
		STREAM_TICKET
	}

	public KilnPrincipal {
		Objects.requireNonNull(userId, "user");
		Objects.requireNonNull(role, "role");
		scopes = Set.copyOf(scopes);
		Objects.requireNonNull(method, "method");
	}

	/** Interactive credentials (a person's sign-in, not API keys or stream tickets) may manage API keys and act as admin. */
	public boolean isInteractive() {
		return method == Method.SESSION || method == Method.EXTERNAL;
	}

	/** The rate-limit and log subject: {@code user:<id>} or {@code key:<id>}. */
	public String subject() {
		return apiKeyId == null ? "user:" + userId : "key:" + apiKeyId;
	}
}
