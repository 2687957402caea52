package dev.kiln.accounts;

import java.util.List;

import dev.kiln.platform.security.KilnAuthentication;
import dev.kiln.platform.security.Scope;
import dev.kiln.platform.web.CorsSettings;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * Who may call what. Stateless: every request carries its credential (a Kiln access token, an external
 * issuer's token or an API key); nothing is kept in a server session. Deny by default.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {

	/**
	 * No observations of Spring Security's own: its filter-chain decorator wraps every filter of every
	 * request, and a request that is an event stream keeps those wrappers for as long as it lives (about
	 * 1.5 KiB per open stream). {@code http.server.requests} still times each request. Kiln's own decorator
	 * ({@code FilterChainsConfiguration}) replaces Spring Security's in any case.
	 */
	@Bean
	static SecurityObservationSettings securityObservations() {
		return SecurityObservationSettings.noObservations();
	}

	/** The API document and its browser UI: public, with the looser headers a browser UI needs. */
	@Bean
	@Order(1)
	SecurityWebFilterChain apiDocuments(ServerHttpSecurity http) {
		return stateless(http)
			.securityMatcher(ServerWebExchangeMatchers.pathMatchers("/v3/api-docs/**", "/swagger-ui.html",
					"/swagger-ui/**", "/webjars/**"))
			.authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
			.headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives("frame-ancestors 'none'")))
			.build();
	}

	@Bean
	@Order(2)
	SecurityWebFilterChain api(ServerHttpSecurity http, CredentialManagers credentials, StreamTickets tickets,
			CorsSettings cors) {
		ServerAuthenticationEntryPoint unauthenticated = (exchange, ex) -> Mono.error(ex instanceof InvalidBearerTokenException
				|| hasBearer(exchange.getRequest().getHeaders().getFirst("Authorization"))
				? CredentialFailure.invalid(ex.getMessage() == null ? "The bearer token is not valid." : ex.getMessage())
				: CredentialFailure.missing());
		ServerAccessDeniedHandler denied = (exchange, ex) -> Mono.error(CredentialFailure.forbidden(
				"This credential may not do that: it lacks the scope or role this endpoint needs."));
		return stateless(http)
			.cors(spec -> spec.configurationSource(corsSource(cors)))
			.headers(headers -> headers
				.contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'; frame-ancestors 'none'"))
				.referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
			.authorizeExchange(exchanges -> exchanges
				.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus")
				.permitAll()
				.pathMatchers(HttpMethod.GET, "/.well-known/jwks.json", "/v1/packages").permitAll()
				.pathMatchers(HttpMethod.POST, "/v1/auth/signup", "/v1/auth/login", "/v1/auth/refresh").permitAll()
				// authenticated by their own signatures or tokens, not by a caller's credential
				.pathMatchers(HttpMethod.POST, "/webhooks/**").permitAll()
				.pathMatchers(HttpMethod.POST, "/v1/checkout-sessions", "/v1/billing-portal").hasAuthority(Scope.PAYMENTS_WRITE.authority())
				.pathMatchers(HttpMethod.GET, "/v1/payments").hasAuthority(Scope.PAYMENTS_READ.authority())
				.pathMatchers(HttpMethod.POST, "/v1/generations", "/v1/generations/*/cancel").hasAuthority(Scope.GENERATIONS_WRITE.authority())
				.pathMatchers(HttpMethod.GET, "/v1/generations", "/v1/generations/**").hasAuthority(Scope.GENERATIONS_READ.authority())
				.pathMatchers(HttpMethod.POST, "/v1/stream-tickets").hasAuthority(Scope.GENERATIONS_READ.authority())
				.pathMatchers("/admin/**").hasRole("ADMIN")
				.pathMatchers("/v1/api-keys", "/v1/api-keys/**", "/v1/auth/logout").hasAuthority(KilnAuthentication.INTERACTIVE)
				.pathMatchers(HttpMethod.GET, "/v1/me").hasAuthority(Scope.PROFILE_READ.authority())
				.pathMatchers(HttpMethod.GET, "/v1/credits", "/v1/credits/**").hasAuthority(Scope.CREDITS_READ.authority())
				.anyExchange().authenticated())
			.oauth2ResourceServer(resourceServer -> resourceServer.authenticationManagerResolver(credentials)
				.authenticationEntryPoint(unauthenticated)
				.accessDeniedHandler(denied))
			.exceptionHandling(handling -> handling.authenticationEntryPoint(unauthenticated).accessDeniedHandler(denied))
			.addFilterAt(StreamTicketFilter.create(tickets), SecurityWebFiltersOrder.AUTHENTICATION)
			.build();
	}

	private static ServerHttpSecurity stateless(ServerHttpSecurity http) {
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance());
	}

	private static boolean hasBearer(String authorization) {
		return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
	}

	private static UrlBasedCorsConfigurationSource corsSource(CorsSettings settings) {
		CorsConfiguration cors = new CorsConfiguration();
		cors.setAllowedOrigins(settings.allowedOrigins());
		cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
		cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID", "X-Request-Id"));
		cors.setExposedHeaders(List.of("X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After", "Location"));
		cors.setAllowCredentials(false);
		cors.setMaxAge(settings.maxAge());
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		source.registerCorsConfiguration("/**", cors);
		return source;
	}
}
