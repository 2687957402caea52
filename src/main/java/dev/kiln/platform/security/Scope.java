package dev.kiln.platform.security;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a caller may do. A signed-in session has every scope; an API key has the scopes it was created
 * with. Authorities are {@code SCOPE_<code>}.
 */
public enum Scope {

	PROFILE_READ("profile:read"),
	CREDITS_READ("credits:read"),
	GENERATIONS_READ("generations:read"),
	GENERATIONS_WRITE("generations:write"),
	PAYMENTS_READ("payments:read"),
	PAYMENTS_WRITE("payments:write");

	private final String code;

	Scope(String code) {
		this.code = code;
	}

	public String code() {
		return code;
	}

	public String authority() {
		return "SCOPE_" + code;
	}

	public static Optional<Scope> fromCode(String code) {
		return Arrays.stream(values()).filter(scope -> scope.code.equals(code)).findFirst();
	}

	public static Set<Scope> all() {
		return EnumSet.allOf(Scope.class);
	}
}
