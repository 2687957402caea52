package dev.kiln.credits;

import java.util.Arrays;

/** Why a ledger operation moved nothing. {@link #code()} is the stable name used in the database and the API. */
public enum Rejection {

	/** The account's available credits are fewer than the amount. */
	INSUFFICIENT_CREDITS,
	/** The hold was already posted (by another key). */
	ALREADY_POSTED,
	/** The hold was already voided (by another key). */
	ALREADY_VOIDED,
	/** The hold passed its deadline; its credits went back to available. */
	EXPIRED,
	/** A post asked for more than the hold reserved. */
	EXCEEDS_HOLD,
	UNKNOWN_HOLD,
	UNKNOWN_ACCOUNT,
	/** The account's owner is suspended and may not start new spending. */
	ACCOUNT_SUSPENDED,
	/** A subscription invoice is unpaid: no new spending until it is settled. */
	PAYMENT_OVERDUE,
	/** A payment of the account's is disputed with the card issuer: spending is frozen until it closes. */
	PAYMENT_DISPUTED,
	/** The key was first used for another operation or other arguments; that first outcome stands. */
	KEY_REUSED;

	public String code() {
		return name().toLowerCase();
	}

	public static Rejection fromCode(String code) {
		return Arrays.stream(values())
			.filter(rejection -> rejection.code().equals(code))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("unknown ledger outcome '" + code + "'"));
	}
}
