package dev.kiln.accounts;

import java.util.List;

import dev.kiln.platform.security.KilnAuthentication;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;

/**
 * Authenticates {@code GET} event streams that carry {@code ?ticket=}: the ticket is redeemed (and so
 * used up) and the request runs as its holder, allowed to read generations only. An unknown, used or
 * expired ticket is a 401.
 */
final class StreamTicketFilter {

	static final String[] STREAM_PATHS = { "/v1/generations/events", "/v1/generations/*/events" };

	private StreamTicketFilter() {
	}

	/** A ticket not yet redeemed. */
	private static final class TicketToken extends AbstractAuthenticationToken {

		private final String ticket;

		TicketToken(String ticket) {
			super(List.of());
			this.ticket = ticket;
		}

		@Override
		public Object getCredentials() {
			return ticket;
		}

		@Override
		public Object getPrincipal() {
			return "stream-ticket";
		}
	}

	static AuthenticationWebFilter create(StreamTickets tickets) {
		ReactiveAuthenticationManager manager = authentication -> tickets
			.redeem((String) authentication.getCredentials())
			.<Authentication>map(KilnAuthentication::new)
			.switchIfEmpty(Mono.error(() -> CredentialFailure.invalid("The stream ticket is unknown, used or expired.")));
		AuthenticationWebFilter filter = new AuthenticationWebFilter(manager);
		ServerWebExchangeMatcher streams = ServerWebExchangeMatchers.pathMatchers(HttpMethod.GET, STREAM_PATHS);
		filter.setRequiresAuthenticationMatcher(exchange -> streams.matches(exchange)
			.filter(ServerWebExchangeMatcher.MatchResult::isMatch)
			.flatMap(match -> exchange.getRequest().getQueryParams().containsKey("ticket")
					? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch())
			.switchIfEmpty(ServerWebExchangeMatcher.MatchResult.notMatch()));
		filter.setServerAuthenticationConverter(exchange -> Mono
			.justOrEmpty(exchange.getRequest().getQueryParams().getFirst("ticket"))
			.map(TicketToken::new));
		return filter;
	}
}
