package dev.kiln.credits;

/**
 * What a claw-back did: {@code taken} left the account's available credits; {@code shortfall} was owed
 * too but had already been spent (or is held for work in flight), so it could not be taken.
 */
public record ClawedBack(Credits taken, Credits shortfall, Balance balance, boolean replayed) {
}
