package dev.kiln.payments;

/**
 * How many credits a refund (or a lost dispute) takes back. The refunded share of the purchase's
 * credits, rounded down in the user's favour, so a full refund takes them all and partial refunds
 * add up to no more than the whole. Credits are taken from what is available; whatever the user has
 * already spent (or holds for work in flight) is written off and recorded on the purchase, never
 * driven below zero and never taken from a later purchase.
 */
final class ClawBackPolicy {

	private ClawBackPolicy() {
	}

	/**
	 * Credits still to answer for, given that {@code refundedTotal} of {@code amount} (minor units) has
	 * been given back in all and {@code answeredFor} credits were already clawed back or written off.
	 */
	static long owed(long credits, long amount, long refundedTotal, long answeredFor) {
		if (refundedTotal < 0 || answeredFor < 0 || answeredFor > credits) {
			throw new IllegalArgumentException("refunded " + refundedTotal + ", answered for " + answeredFor);
		}
		long share = amount == 0 || refundedTotal >= amount ? credits
				: Math.multiplyExact(credits, refundedTotal) / amount;
		return Math.max(0, share - answeredFor);
	}
}
