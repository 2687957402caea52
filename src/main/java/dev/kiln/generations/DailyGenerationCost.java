package dev.kiln.generations;

import java.time.LocalDate;

import org.jspecify.annotations.Nullable;

/**
 * Generations of one kind and model that finished on one UTC day, and what they cost in one currency:
 * {@code creditsPosted} taken from users, {@code providerCostMicros} (millionths of {@code currency})
 * charged by the provider. {@code currency} is null where the provider recorded no cost (videos, failures);
 * {@code uncosted} counts generations that posted credits without a recorded provider cost.
 */
public record DailyGenerationCost(LocalDate day, String kind, String model, @Nullable String currency,
		long generations, long succeeded, long creditsPosted, long providerCostMicros, long uncosted) {
}
