package dev.kiln.credits;

public record Credited(Credits amount, Balance balance, boolean replayed) implements CreditResult {
}
