package dev.kiln.payments;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.kiln.platform.web.InvalidField;
import dev.kiln.platform.web.PageCursor;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The operator's view of every user's payments (admin role, interactive sign-in only). */
@RestController
@RequestMapping("/admin/payments")
class AdminPaymentsController {

	private static final String LIST = "payments";

	private static final Set<String> STATUSES = Set.of("pending", "paid", "subscribed", "failed", "expired", "refunded",
			"disputed", "charged_back");

	private final Purchases purchases;

	AdminPaymentsController(Purchases purchases) {
		this.purchases = purchases;
	}

	/** Everyone's payments newest first, in pages; {@code user} and {@code status} filter. */
	@GetMapping
	Mono<Page> list(@RequestParam(required = false) @Nullable UUID user,
			@RequestParam(required = false) @Nullable String status, @RequestParam(required = false) @Nullable String cursor,
			@RequestParam(defaultValue = "50") int limit) {
		if (limit < 1 || limit > 200) {
			throw new InvalidField("limit", "must be between 1 and 200");
		}
		if (status != null && !STATUSES.contains(status)) {
			throw new InvalidField("status",
					"must be one of pending, paid, subscribed, failed, expired, refunded, disputed, charged_back");
		}
		PageCursor after = cursor == null ? null : PageCursor.decode(LIST, cursor);
		return purchases.page(user, status, after, limit + 1).map(AdminPayment::of).collectList().map(found -> {
			List<AdminPayment> shown = found.subList(0, Math.min(limit, found.size()));
			return new Page(shown, found.size() > limit
					? new PageCursor(shown.getLast().createdAt(), shown.getLast().id()).encode(LIST) : null);
		});
	}

	/**
	 * A purchase, a plan's checkout or a subscription's paid invoice, with the provider's ids. Money is
	 * in minor units of {@code currency}; {@code refundedAmount} went back to the payer, and the credits
	 * that answered for it were clawed back or written off (already spent).
	 */
	record AdminPayment(UUID id, UUID userId, String provider, String kind, String itemId, long amount, String currency,
			long credits, String status, @Nullable String checkoutId, @Nullable String invoiceId,
			@Nullable String subscriptionId, @Nullable String paymentIntent, long refundedAmount, long creditsClawedBack,
			long creditsWrittenOff, Instant createdAt, @Nullable Instant paidAt, Instant updatedAt) {

		static AdminPayment of(Purchase purchase) {
			return new AdminPayment(purchase.id(), purchase.userId(), purchase.provider(), purchase.kind(),
					purchase.itemId(), purchase.amount(), purchase.currency(), purchase.credits(), purchase.status(),
					purchase.checkoutId(), purchase.invoiceId(), purchase.subscriptionId(), purchase.paymentIntent(),
					purchase.refundedAmount(), purchase.creditsClawedBack(), purchase.creditsWrittenOff(),
					purchase.createdAt(), purchase.paidAt(), purchase.updatedAt());
		}
	}

	record Page(List<AdminPayment> payments, @Nullable String nextCursor) {
	}
}
