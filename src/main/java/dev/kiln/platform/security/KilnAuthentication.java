package dev.kiln.platform.security;

import java.util.ArrayList;
import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An authenticated {@link KilnPrincipal}. Authorities: {@code SCOPE_*} for its scopes,
 * {@code ROLE_ADMIN} for interactive admins (never for API keys), {@code INTERACTIVE} for credentials
 * that are not API keys. The name is the principal's subject, so logs and rate limits never see a secret.
 */
public final class KilnAuthentication extends AbstractAuthenticationToken {

	public static final String INTERACTIVE = "INTERACTIVE";

	private static final GrantedAuthority INTERACTIVE_AUTHORITY = new SimpleGrantedAuthority(INTERACTIVE);

	private static final GrantedAuthority ADMIN_AUTHORITY = new SimpleGrantedAuthority("ROLE_ADMIN");

	private final KilnPrincipal principal;

	public KilnAuthentication(KilnPrincipal principal) {
		super(authorities(principal));
		this.principal = principal;
		setAuthenticated(true);
	}

	/** Shared authority objects: an open event stream keeps its request's authentication for its whole life. */
	private static List<GrantedAuthority> authorities(KilnPrincipal principal) {
		List<GrantedAuthority> authorities = new ArrayList<>(principal.scopes().size() + 2);
		principal.scopes().forEach(scope -> authorities.add(scope.grantedAuthority()));
		if (principal.isInteractive()) {
			authorities.add(INTERACTIVE_AUTHORITY);
			if (principal.role() == Role.ADMIN) {
				authorities.add(ADMIN_AUTHORITY);
			}
		}
		return authorities;
	}

	@Override
	public KilnPrincipal getPrincipal() {
		return principal;
	}

	@Override
	public Object getCredentials() {
		return "";
	}

	@Override
	public String getName() {
		return principal.subject();
	}
}
