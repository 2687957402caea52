package dev.kiln.credits;

/** The hold was cancelled and all of it ({@code released}) went back to available. */
public record Voided(HoldId hold, Credits released, Balance balance, boolean replayed) implements VoidResult {
}
