package dev.kiln.accounts;

import java.time.Clock;
import java.time.Duration;

import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.ratelimit.ClientAddress;
import dev.kiln.platform.web.InvalidField;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

@RestController
@RequestMapping("/v1/auth")
class AuthController {

	private final SignIn signIn;

	private final Clock clock;

	AuthController(SignIn signIn, Clock clock) {
		this.signIn = signIn;
		this.clock = clock;
	}

	/**
	 * Always 202 with the same body: whether the email already had an account is not revealed. A new
	 * account can log in at once.
	 */
	@PostMapping("/signup")
	@ResponseStatus(HttpStatus.ACCEPTED)
	Mono<SignUpAccepted> signUp(@Valid @RequestBody SignUpRequest request) {
		return signIn.signUp(email(request.email()), request.password(), request.name())
			.thenReturn(new SignUpAccepted("accepted", "If this email is new, its account is ready: log in with it."));
	}

	@PostMapping("/login")
	Mono<TokenResponse> logIn(@Valid @RequestBody LoginRequest request, ServerWebExchange exchange) {
		return signIn.logIn(email(request.email()), request.password(), ClientAddress.of(exchange)).map(this::tokens);
	}

	@PostMapping("/refresh")
	Mono<TokenResponse> refresh(@Valid @RequestBody RefreshRequest request) {
		return signIn.refresh(request.refreshToken()).map(this::tokens);
	}

	/** Ends the caller's session; a refresh token in the body is revoked too. */
	@PostMapping("/logout")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> logOut(@AuthenticationPrincipal KilnPrincipal caller, @RequestBody(required = false) @Nullable LogoutRequest request) {
		return signIn.logOut(caller, request == null ? null : request.refreshToken());
	}

	private TokenResponse tokens(Session session) {
		long expiresIn = Math.max(0, Duration.between(clock.instant(), session.accessTokenExpiresAt()).toSeconds());
		return new TokenResponse(session.accessToken(), "Bearer", expiresIn, session.refreshToken());
	}

	private static EmailAddress email(String raw) {
		try {
			return EmailAddress.parse(raw);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidField("email", ex.getMessage());
		}
	}

	record SignUpRequest(@NotBlank @Size(max = 254) String email,
			@NotBlank @Size(min = 12, max = 128, message = "must be 12 to 128 characters long") String password,
			@Size(max = 100) @Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters") @Nullable String name) {

		@Override
		public String toString() {
			return "SignUpRequest[<redacted>]";
		}
	}

	record LoginRequest(@NotBlank @Size(max = 254) String email, @NotBlank @Size(max = 128) String password) {

		@Override
		public String toString() {
			return "LoginRequest[<redacted>]";
		}
	}

	record RefreshRequest(@NotBlank @Size(max = 200) String refreshToken) {

		@Override
		public String toString() {
			return "RefreshRequest[<redacted>]";
		}
	}

	record LogoutRequest(@Nullable String refreshToken) {

		@Override
		public String toString() {
			return "LogoutRequest[<redacted>]";
		}
	}

	record SignUpAccepted(String status, String detail) {
	}

	record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken) {

		@Override
		public String toString() {
			return "TokenResponse[expiresIn=" + expiresIn + "]";
		}
	}
}
