package dev.kiln.platform.web;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs a request through a list of filters in turn, as Spring's own chain does, but without the Reactor
 * {@code checkpoint} Spring puts on every filter of every request. A request keeps its filters' operators
 * for as long as its response lives, and an event stream lives for hours: the checkpoints of WebFlux's
 * and Spring Security's chains (an assembly marker and two description strings each, the strings built
 * per request) were about 5 KiB of every open stream. What a checkpoint adds is a line naming the filter
 * in the trace of an error passing through it; errors here end as problem responses, and unexpected ones
 * are logged with their own stack trace.
 */
final class FilterChains implements WebFilterChainProxy.WebFilterChainDecorator {

	/**
	 * The filters in order, then {@code last}. Not copied: Spring Security hands its decorator a new list
	 * for every request, and a copy would be kept as long as the request.
	 */
	static WebFilterChain of(List<WebFilter> filters, WebFilterChain last) {
		return new Link(filters, 0, last);
	}

	/** All of WebFlux's filters as one, run by {@link #of}. */
	static WebFilter asOne(List<WebFilter> filters) {
		return new AllFilters(List.copyOf(filters));
	}

	@Override
	public WebFilterChain decorate(WebFilterChain original) {
		return original;
	}

	@Override
	public WebFilterChain decorate(WebFilterChain original, List<WebFilter> filters) {
		return of(filters, original);
	}

	private record AllFilters(List<WebFilter> filters) implements WebFilter {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			return new Link(filters, 0, chain).filter(exchange);
		}

		/** The description of the one checkpoint Spring still puts around them: the same string every time. */
		@Override
		public String toString() {
			return "Kiln's web filters";
		}
	}

	/** The chain from {@code index} on; built as the request goes, one small object per filter. */
	private record Link(List<WebFilter> filters, int index, WebFilterChain last) implements WebFilterChain {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange) {
			// deferred, as Spring's own chain is: a filter runs when the one before subscribes to it
			return Mono.defer(() -> index == filters.size() ? last.filter(exchange)
					: filters.get(index).filter(exchange, new Link(filters, index + 1, last)));
		}
	}
}
