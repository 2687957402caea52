package dev.kiln.credits;

/** What a debit did: {@link Debited} or a named {@link Rejected rejection}. */
public sealed interface DebitResult permits Debited, Rejected {

	/** True when this is the first outcome of the same key, returned again; nothing moved this time. */
	boolean replayed();
}
