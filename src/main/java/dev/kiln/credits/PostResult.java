package dev.kiln.credits;

/** What a post did: {@link Posted} or a named {@link Rejected rejection}. */
public sealed interface PostResult permits Posted, Rejected {

	/** True when this is the first outcome of the same key, returned again; nothing moved this time. */
	boolean replayed();
}
