package dev.kiln.accounts.crypto;

/**
 * A sealed value that this process cannot decrypt: unknown key id, another owner's value, truncated or
 * altered. The message says which, and never contains plaintext or key material.
 */
public final class UnreadablePersonalData extends RuntimeException {

	UnreadablePersonalData(String reason) {
		super("personal data cannot be read: " + reason);
	}
}
