package dev.kiln.accounts;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Sign-in and tokens. Keys come from the environment (a secret store), never from the repository.
 *
 * @param issuer the {@code iss} of Kiln's access tokens
 * @param audience the {@code aud} of Kiln's access tokens
 * @param signingKeys key id → EC P-256 private key as a JWK (JSON); all verify, the active one signs,
 * so a new key can be added before it becomes active and an old one kept until its tokens expire
 * @param apiKeyPepper base64 of at least 32 random bytes: the HMAC key API key secrets are stored under
 * @param externalIssuers OIDC issuers whose tokens are accepted (Google, Zitadel, Supabase…)
 * @param bootstrapAdmin the first admin, created at start-up when no account has its email
 */
@ConfigurationProperties("kiln.auth")
@Validated
record AuthSettings(@NotBlank String issuer, @NotBlank String audience, @NotNull Duration accessTokenTtl,
		@NotNull Duration refreshTokenTtl, @NotEmpty Map<String, String> signingKeys,
		@NotBlank String activeSigningKey, @NotBlank String apiKeyPepper,
		List<@Valid ExternalIssuer> externalIssuers, @Valid @Nullable BootstrapAdmin bootstrapAdmin) {

	AuthSettings {
		externalIssuers = externalIssuers == null ? List.of() : List.copyOf(externalIssuers);
	}

	/**
	 * The operator's first admin account. Its password is a secret from the environment: sign-up is
	 * public and unverified, so an email alone must never make anyone an admin.
	 */
	record BootstrapAdmin(@NotBlank String email, @NotBlank @Size(min = 12, max = 128) String password) {

		@Override
		public String toString() {
			return "BootstrapAdmin[<redacted>]";
		}
	}

	/**
	 * @param algorithms accepted JWS algorithms (RS256 by default); never {@code none} or HMAC
	 */
	record ExternalIssuer(@NotBlank String issuer, @NotBlank String audience, @NotNull URI jwksUri,
			List<String> algorithms) {

		ExternalIssuer {
			algorithms = algorithms == null || algorithms.isEmpty() ? List.of("RS256") : List.copyOf(algorithms);
		}
	}

	@Override
	public String toString() {
		return "AuthSettings[issuer=" + issuer + ", audience=" + audience + ", accessTokenTtl=" + accessTokenTtl
				+ ", refreshTokenTtl=" + refreshTokenTtl + ", signingKeys=" + signingKeys.keySet()
				+ ", activeSigningKey=" + activeSigningKey + ", apiKeyPepper=<redacted>, externalIssuers="
				+ externalIssuers + ", bootstrapAdmin=" + (bootstrapAdmin != null) + "]";
	}
}
