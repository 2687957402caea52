package dev.kiln.platform.security;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

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

	/** Shared by every request's principal: a set and its authorities are kept as long as a request lives. */
	private static final Set<Scope> ALL = Set.copyOf(EnumSet.allOf(Scope.class));

	private final String code;

	private final GrantedAuthority grantedAuthority;

	Scope(String code) {
		this.code = code;
		this.grantedAuthority = new SimpleGrantedAuthority("SCOPE_" + code);
	}

	public String code() {
		return code;
	}

	public String authority() {
		return grantedAuthority.getAuthority();
	}

	GrantedAuthority grantedAuthority() {
		return grantedAuthority;
	}

	public static Optional<Scope> fromCode(String code) {
		return Arrays.stream(values()).filter(scope -> scope.code.equals(code)).findFirst();
	}

	/** Every scope, as an unmodifiable set. */
	public static Set<Scope> all() {
		return ALL;
	}
}
