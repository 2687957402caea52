package dev.kiln.platform.web;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;

class FilterChainsTests {

	final List<String> ran = new ArrayList<>();

	final MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/v1/me"));

	final WebFilterChain handler = exchange -> Mono.fromRunnable(() -> ran.add("handler"));

	@Test
	void runsTheFiltersInOrderThenTheRestOfTheChain() {
		StepVerifier.create(FilterChains.of(List.of(named("a"), named("b"), named("c")), handler).filter(exchange))
			.verifyComplete();

		assertThat(ran).containsExactly("a", "b", "c", "handler");
	}

	@Test
	void aFilterThatAnswersItselfEndsTheChain() {
		WebFilter refusing = (exchange, chain) -> Mono.fromRunnable(() -> ran.add("refused"));

		StepVerifier.create(FilterChains.of(List.of(named("a"), refusing, named("c")), handler).filter(exchange))
			.verifyComplete();

		assertThat(ran).containsExactly("a", "refused");
	}

	@Test
	void nothingRunsBeforeSubscriptionAndEachSubscriptionRunsTheChainAgain() {
		Mono<Void> request = FilterChains.asOne(List.of(named("a"), named("b"))).filter(exchange, handler);
		assertThat(ran).isEmpty();

		request.block();
		request.block();

		assertThat(ran).containsExactly("a", "b", "handler", "a", "b", "handler");
	}

	@Test
	void anErrorPassesThroughUnchanged() {
		WebFilter failing = (exchange, chain) -> Mono.error(new IllegalStateException("boom"));

		StepVerifier.create(FilterChains.of(List.of(named("a"), failing), handler).filter(exchange))
			.verifyErrorSatisfies(error -> assertThat(error).isInstanceOf(IllegalStateException.class)
				.hasMessage("boom")
				.as("no checkpoint's assembly trace is attached")
				.hasNoSuppressedExceptions());
		assertThat(ran).containsExactly("a");
	}

	@Test
	void oneFilterStandsForAllAndNamesItselfTheSameEveryTime() {
		WebFilter all = FilterChains.asOne(List.of(named("a")));

		assertThat(all.toString()).isSameAs(all.toString());
	}

	private WebFilter named(String name) {
		return (exchange, chain) -> {
			ran.add(name);
			return chain.filter(exchange);
		};
	}
}
