package dev.kiln.payments;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Stripe. Keys come from the environment ({@code KILN_PAYMENTS_STRIPE_SECRETKEY},
 * {@code KILN_PAYMENTS_STRIPE_WEBHOOKSECRET}); {@code apiBase} points the client elsewhere (the local
 * emulator) and is left unset in production.
 *
 * @param webhookTolerance how old a signed webhook may be before it counts as a replay
 * @param reconcileAfter how long a checkout may stay pending before the reconciler asks Stripe about it
 * @param reconcileLookback how far back the reconciler lists Stripe's events for ones that never arrived
 * @param reconcileMaxEvents the most events one reconciler run lists (the oldest are applied first)
 * @param portalReturnUrl where the billing portal sends the customer back to
 */
@ConfigurationProperties("kiln.payments.stripe")
@Validated
record StripeSettings(@NotBlank String secretKey, @NotBlank String webhookSecret, @Nullable URI apiBase,
		@NotNull URI successUrl, @NotNull URI cancelUrl, @NotNull Duration webhookTolerance,
		@NotNull Duration reconcileAfter, @NotNull Duration reconcileLookback, @Positive int reconcileMaxEvents,
		@NotNull URI portalReturnUrl) {

	@Override
	public String toString() {
		return "StripeSettings[secretKey=<redacted>, webhookSecret=<redacted>, apiBase=" + apiBase + ", successUrl="
				+ successUrl + ", cancelUrl=" + cancelUrl + ", webhookTolerance=" + webhookTolerance + ", reconcileAfter=" + reconcileAfter + ", reconcileLookback="
				+ reconcileLookback + ", reconcileMaxEvents=" + reconcileMaxEvents + ", portalReturnUrl=" + portalReturnUrl
				+ "]";
	}
}
