package dev.kiln.credits;

/** What a credit did: {@link Credited} or a named {@link Rejected rejection}. */
public sealed interface CreditResult permits Credited, Rejected {

	/** True when this is the first outcome of the same key, returned again; nothing moved this time. */
	boolean replayed();
}
