package dev.kiln.credits;

import dev.kiln.platform.web.Problems;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * A hold refused for a reason the caller can act on, rendered as problem+json with the rejection's
 * code: every path that starts paid work (generations of every kind) answers the same way.
 */
public class SpendingRefused extends ErrorResponseException {

	private final Rejection reason;

	public SpendingRefused(Rejection reason) {
		super(status(reason), Problems.of(status(reason), reason.code(), detail(reason)), null);
		this.reason = reason;
	}

	public Rejection reason() {
		return reason;
	}

	/** Whether a hold refused for this reason is the caller's to resolve (as opposed to a bug). */
	public static boolean applies(Rejection reason) {
		return switch (reason) {
			case INSUFFICIENT_CREDITS, ACCOUNT_SUSPENDED, PAYMENT_OVERDUE, PAYMENT_DISPUTED -> true;
			default -> false;
		};
	}

	private static HttpStatus status(Rejection reason) {
		return switch (reason) {
			case INSUFFICIENT_CREDITS, PAYMENT_OVERDUE -> HttpStatus.PAYMENT_REQUIRED;
			case ACCOUNT_SUSPENDED, PAYMENT_DISPUTED -> HttpStatus.FORBIDDEN;
			default -> throw new IllegalArgumentException(reason.code() + " is not a refusal to spend");
		};
	}

	private static String detail(Rejection reason) {
		return switch (reason) {
			case INSUFFICIENT_CREDITS -> "Not enough credits are available for this request; buy a pack (GET /v1/packages).";
			case PAYMENT_OVERDUE -> "Your subscription's latest invoice is unpaid, so new generations are paused; "
					+ "update the payment method in the billing portal (POST /v1/billing-portal).";
			case ACCOUNT_SUSPENDED -> "This account is suspended and cannot start new generations.";
			case PAYMENT_DISPUTED -> "A payment of this account is disputed with the card issuer, so new generations "
					+ "are paused until the dispute is closed.";
			default -> throw new IllegalArgumentException(reason.code() + " is not a refusal to spend");
		};
	}
}
