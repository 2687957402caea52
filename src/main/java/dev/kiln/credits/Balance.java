package dev.kiln.credits;

/** What an account can spend now ({@code available}) and what pending holds reserve ({@code held}). */
public record Balance(Credits available, Credits held) {

	public static Balance of(long available, long held) {
		return new Balance(Credits.of(available), Credits.of(held));
	}

	public Credits total() {
		return available.plus(held);
	}
}
