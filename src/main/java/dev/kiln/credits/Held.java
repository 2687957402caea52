package dev.kiln.credits;

/** {@code amount} moved from available to held under {@code hold}. */
public record Held(HoldId hold, Credits amount, Balance balance, boolean replayed) implements HoldResult {
}
