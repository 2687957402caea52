package dev.kiln.accounts;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import dev.kiln.platform.security.KilnAuthentication;
import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.security.Role;
import dev.kiln.platform.security.Scope;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.ReactiveAuthenticationManagerResolver;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtIssuerReactiveAuthenticationManagerResolver;
import org.springframework.security.oauth2.server.resource.authentication.JwtReactiveAuthenticationManager;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Chooses how a bearer credential is checked: API keys by their {@code kiln_sk_} prefix, JWTs by their
 * issuer, among Kiln itself and the configured external issuers only. Every JWT decoder pins its
 * algorithms (never {@code none} or HMAC), and checks signature, {@code iss}, {@code aud} and expiry;
 * Kiln's own tokens must also be typed {@code at+jwt} (RFC 8725).
 */
@Component
class CredentialManagers implements ReactiveAuthenticationManagerResolver<ServerWebExchange> {

	/** Kiln tokens kept verified at once: a few MiB at most (a token and its claims are about 2 KiB). */
	private static final int VERIFIED_TOKENS = 4096;

	private final ReactiveAuthenticationManager apiKeyManager;

	private final JwtIssuerReactiveAuthenticationManagerResolver byIssuer;

	CredentialManagers(AuthSettings settings, SigningKeys keys, ApiKeys apiKeys, RevokedSessions revokedSessions,
			ExternalUsers externalUsers) {
		this.apiKeyManager = authentication -> apiKeys
			.authenticate(((BearerTokenAuthenticationToken) authentication).getToken())
			.<org.springframework.security.core.Authentication>map(KilnAuthentication::new)
			.switchIfEmpty(Mono.error(() -> new InvalidBearerTokenException("The API key is not valid.")));
		Map<String, ReactiveAuthenticationManager> managers = new HashMap<>();
		managers.put(settings.issuer(), kilnTokens(settings, keys, revokedSessions));
		settings.externalIssuers().forEach(issuer -> managers.put(issuer.issuer(), externalTokens(issuer, externalUsers)));
		this.byIssuer = new JwtIssuerReactiveAuthenticationManagerResolver(issuer -> Mono.justOrEmpty(managers.get(issuer)));
	}

	@Override
	public Mono<ReactiveAuthenticationManager> resolve(ServerWebExchange exchange) {
		String authorization = exchange.getRequest().getHeaders().getFirst("Authorization");
		if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
				&& ApiKeyFormat.looksLikeKey(authorization.substring(7).strip())) {
			return Mono.just(apiKeyManager);
		}
		return byIssuer.resolve(exchange);
	}

	private static ReactiveAuthenticationManager kilnTokens(AuthSettings settings, SigningKeys keys,
			RevokedSessions revokedSessions) {
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder
			.withJwkSource(jwt -> Flux.fromIterable(keys.publicKeys().getKeys()))
			.jwsAlgorithm(SignatureAlgorithm.ES256)
			.jwtProcessorCustomizer(processor -> processor
				.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(AccessTokens.TYPE)))
			.build();
		decoder.setJwtValidator(validator(settings.issuer(), settings.audience()));
		JwtReactiveAuthenticationManager manager = new JwtReactiveAuthenticationManager(
				new VerifiedTokens(decoder, Clock.systemUTC(), VERIFIED_TOKENS));
		manager.setJwtAuthenticationConverter(jwt -> {
			UUID session = UUID.fromString(jwt.getClaimAsString("sid"));
			KilnPrincipal principal = new KilnPrincipal(UUID.fromString(jwt.getSubject()),
					Role.fromCode(jwt.getClaimAsString("role")), Scope.all(), KilnPrincipal.Method.SESSION, session, null);
			return revokedSessions.isRevoked(session)
				.flatMap(revoked -> revoked ? Mono.error(new InvalidBearerTokenException("The session has ended; sign in again."))
						: Mono.just(new KilnAuthentication(principal)));
		});
		return manager;
	}

	private static ReactiveAuthenticationManager externalTokens(AuthSettings.ExternalIssuer issuer,
			ExternalUsers externalUsers) {
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSetUri(issuer.jwksUri().toString())
			.jwsAlgorithms(algorithms -> issuer.algorithms().forEach(name -> algorithms.add(SignatureAlgorithm.from(name))))
			.build();
		decoder.setJwtValidator(validator(issuer.issuer(), issuer.audience()));
		JwtReactiveAuthenticationManager manager = new JwtReactiveAuthenticationManager(decoder);
		manager.setJwtAuthenticationConverter(jwt -> externalUsers
			.resolve(issuer.issuer(), jwt.getSubject(), verifiedEmail(jwt), jwt.getClaimAsString("name"))
			.map(user -> new KilnAuthentication(new KilnPrincipal(user.id(), user.role(), Scope.all(),
					KilnPrincipal.Method.EXTERNAL, null, null))));
		return manager;
	}

	private static String verifiedEmail(Jwt jwt) {
		return Boolean.TRUE.equals(jwt.getClaimAsBoolean("email_verified")) ? jwt.getClaimAsString("email") : null;
	}

	private static OAuth2TokenValidator<Jwt> validator(String issuer, String audience) {
		return new DelegatingOAuth2TokenValidator<>(List.of(new JwtTimestampValidator(AccessTokens.CLOCK_SKEW), new JwtIssuerValidator(issuer),
				new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(audience)),
				new JwtClaimValidator<String>("sub", sub -> sub != null && !sub.isBlank())));
	}
}
