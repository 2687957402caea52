package dev.kiln.credits;

/** A whole number of credits, never negative. Money is integers: there are no fractional credits. */
public record Credits(long units) implements Comparable<Credits> {

	public static final Credits ZERO = new Credits(0);

	public Credits {
		if (units < 0) {
			throw new IllegalArgumentException("credits cannot be negative, was " + units);
		}
	}

	public static Credits of(long units) {
		return new Credits(units);
	}

	public boolean isPositive() {
		return units > 0;
	}

	public Credits plus(Credits other) {
		return new Credits(Math.addExact(units, other.units));
	}

	@Override
	public int compareTo(Credits other) {
		return Long.compare(units, other.units);
	}

	@Override
	public String toString() {
		return Long.toString(units);
	}
}
