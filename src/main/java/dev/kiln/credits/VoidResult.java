package dev.kiln.credits;

/** What a void did: {@link Voided} or a named {@link Rejected rejection}. */
public sealed interface VoidResult permits Voided, Rejected {

	/** True when this is the first outcome of the same key, returned again; nothing moved this time. */
	boolean replayed();
}
