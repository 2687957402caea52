package dev.kiln.credits;

/** The hold was captured: {@code posted} left the account and {@code released} went back to available. */
public record Posted(HoldId hold, Credits posted, Credits released, Balance balance, boolean replayed)
		implements PostResult {
}
