package dev.kiln.credits;

public record Debited(Credits amount, Balance balance, boolean replayed) implements DebitResult {
}
