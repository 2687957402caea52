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

	private final KilnPrincipal principal;

	public KilnAuthentication(KilnPrincipal principal) {
		super(authorities(principal));
		this.principal = principal;
		setAuthenticated(true);
	}

	private static List<GrantedAuthority> authorities(KilnPrincipal principal) {
		List<GrantedAuthority> authorities = new ArrayList<>();
		principal.scopes().forEach(scope -> authorities.add(new SimpleGrantedAuthority(scope.authority())));
		if (principal.isInteractive()) {
			authorities.add(new SimpleGrantedAuthority(INTERACTIVE));
			if (principal.role() == Role.ADMIN) {
				authorities.add(new SimpleGrantedAuthority("ROLE_ADMIN"));
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
