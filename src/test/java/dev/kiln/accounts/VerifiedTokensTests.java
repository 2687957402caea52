package dev.kiln.accounts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.kiln.testing.SettableClock;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiedTokensTests {

	private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

	private final SettableClock clock = new SettableClock(NOW);

	/** What the real decoder was asked to verify, in order. */
	private final List<String> verifications = new ArrayList<>();

	private final ReactiveJwtDecoder verifier = token -> {
		verifications.add(token);
		return token.startsWith("forged") ? Mono.error(new BadJwtException("bad signature"))
				: Mono.just(Jwt.withTokenValue(token).header("alg", "ES256").subject("user").issuedAt(clock.instant())
					.expiresAt(clock.instant().plus(Duration.ofMinutes(15))).build());
	};

	@Test
	void aTokenIsVerifiedOnceUntilItExpires() {
		VerifiedTokens tokens = new VerifiedTokens(verifier, clock, 10);

		Jwt first = tokens.decode("token-a").block();
		Jwt again = tokens.decode("token-a").block();
		assertThat(again).isSameAs(first);
		assertThat(verifications).containsExactly("token-a");

		clock.advance(Duration.ofMinutes(15));
		tokens.decode("token-a").block();
		assertThat(verifications).containsExactly("token-a", "token-a");
	}

	@Test
	void anyOtherTokenAndEveryFailureGoToTheVerifier() {
		VerifiedTokens tokens = new VerifiedTokens(verifier, clock, 10);
		tokens.decode("token-a").block();

		tokens.decode("token-a-with-another-signature").block();
		assertThatThrownBy(() -> tokens.decode("forged-token").block()).isInstanceOf(BadJwtException.class);
		assertThatThrownBy(() -> tokens.decode("forged-token").block()).isInstanceOf(BadJwtException.class);
		assertThat(verifications).containsExactly("token-a", "token-a-with-another-signature", "forged-token", "forged-token");
	}

	@Test
	void aFullCacheKeepsWhatItHasUntilItExpires() {
		VerifiedTokens tokens = new VerifiedTokens(verifier, clock, 2);
		tokens.decode("token-a").block();
		tokens.decode("token-b").block();
		tokens.decode("token-c").block(); // full of live tokens: c is verified but not kept
		verifications.clear();

		tokens.decode("token-a").block();
		tokens.decode("token-b").block();
		tokens.decode("token-c").block();
		assertThat(verifications).containsExactly("token-c");

		clock.advance(Duration.ofMinutes(15)); // a and b expire and make room
		tokens.decode("token-c").block();
		tokens.decode("token-c").block();
		assertThat(verifications).as("kept once there was room").containsExactly("token-c", "token-c");
	}
}
