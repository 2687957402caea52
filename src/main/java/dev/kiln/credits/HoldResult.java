package dev.kiln.credits;

/** What a hold did: {@link Held} or a named {@link Rejected rejection}. */
public sealed interface HoldResult permits Held, Rejected {

	/** True when this is the first outcome of the same key, returned again; nothing moved this time. */
	boolean replayed();
}
