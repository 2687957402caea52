package dev.kiln.accounts;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.security.Scope;
import dev.kiln.platform.web.InvalidField;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** A signed-in user's API keys. Only interactive sessions manage keys; a key cannot mint keys. */
@RestController
@RequestMapping("/v1/api-keys")
class ApiKeysController {

	private static final java.time.Duration MAX_LIFETIME = java.time.Duration.ofDays(3653);

	private final ApiKeys apiKeys;

	private final Clock clock;

	ApiKeysController(ApiKeys apiKeys, Clock clock) {
		this.apiKeys = apiKeys;
		this.clock = clock;
	}

	/** The response is the only time the key is shown. */
	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	Mono<CreatedKey> create(@AuthenticationPrincipal KilnPrincipal caller, @Valid @RequestBody CreateKeyRequest request) {
		Set<Scope> scopes = EnumSet.noneOf(Scope.class);
		for (int i = 0; i < request.scopes().size(); i++) {
			String code = request.scopes().get(i);
			int index = i;
			scopes.add(Scope.fromCode(code).orElseThrow(() -> new InvalidField("scopes[" + index + "]",
					"is not a scope; use one of " + Scope.all().stream().map(Scope::code).sorted().toList())));
		}
		if (request.expiresAt() != null && !request.expiresAt().isAfter(clock.instant())) {
			throw new InvalidField("expires_at", "must be in the future");
		}
		if (request.expiresAt() != null && request.expiresAt().isAfter(clock.instant().plus(MAX_LIFETIME))) {
			throw new InvalidField("expires_at", "must be within ten years");
		}
		return apiKeys.create(caller.userId(), request.name(), scopes, request.expiresAt())
			.map(created -> new CreatedKey(KeyView.of(created.view()), created.key()));
	}

	@GetMapping
	Flux<KeyView> list(@AuthenticationPrincipal KilnPrincipal caller) {
		return apiKeys.list(caller.userId()).map(KeyView::of);
	}

	/** Revokes the caller's key; another user's key is, to the caller, not there (404). */
	@DeleteMapping("/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	Mono<Void> revoke(@AuthenticationPrincipal KilnPrincipal caller, @PathVariable String id) {
		return apiKeys.revoke(caller.userId(), id)
			.switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND)))
			.then();
	}

	record CreateKeyRequest(
			@NotBlank @Size(max = 100) @Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters") String name,
			@NotEmpty @Size(max = 10) List<String> scopes,
			@Nullable Instant expiresAt) {
	}

	record KeyView(String id, String name, List<String> scopes, String hint, Instant createdAt,
			@Nullable Instant expiresAt, @Nullable Instant revokedAt, @Nullable Instant lastUsedAt) {

		static KeyView of(ApiKeys.ApiKeyView key) {
			return new KeyView(key.id(), key.name(), key.scopeCodes(), ApiKeyFormat.PREFIX + key.id() + "_…",
					key.createdAt(), key.expiresAt(), key.revokedAt(), key.lastUsedAt());
		}
	}

	record CreatedKey(KeyView apiKey, String key) {

		@Override
		public String toString() {
			return "CreatedKey[id=" + apiKey.id() + "]";
		}
	}
}
