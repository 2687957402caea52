package dev.kiln.credits;

import java.util.Objects;

/** The operation moved nothing, for the named reason. The reason is kept under the operation's key. */
public record Rejected(Rejection reason, boolean replayed)
		implements HoldResult, PostResult, VoidResult, CreditResult, DebitResult {

	public Rejected {
		Objects.requireNonNull(reason, "reason");
	}
}
