package dev.kiln.payments;

import java.time.Instant;
import java.util.UUID;

import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.web.InvalidField;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Buying packs and plans: start a hosted checkout, manage a plan, and see one's own payments. */
@RestController
class PurchasesController {

	private final Checkouts checkouts;

	private final DatabaseClient db;

	PurchasesController(Checkouts checkouts, DatabaseClient db) {
		this.checkouts = checkouts;
		this.db = db;
	}

	/** Retrying with the same Idempotency-Key returns the same checkout; the client then opens {@code url}. */
	@PostMapping("/v1/checkout-sessions")
	@ResponseStatus(HttpStatus.CREATED)
	Mono<PaymentView> checkout(@AuthenticationPrincipal KilnPrincipal caller,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
			@Valid @RequestBody CheckoutRequest request) {
		if (idempotencyKey == null || !idempotencyKey.matches("[\\x21-\\x7E]{8,200}")) {
			throw new InvalidField("Idempotency-Key", "is required: 8 to 200 visible ASCII characters, unique per purchase");
		}
		return checkouts.start(caller.userId(), request.itemId(), idempotencyKey).map(PaymentView::of);
	}

	/** The provider's billing portal, where a subscriber changes or cancels their plan and pays an open invoice. */
	@PostMapping("/v1/billing-portal")
	Mono<Portal> portal(@AuthenticationPrincipal KilnPrincipal caller) {
		return checkouts.portal(caller.userId()).map(Portal::new);
	}

	@GetMapping("/v1/payments")
	Flux<PaymentView> payments(@AuthenticationPrincipal KilnPrincipal caller, @RequestParam(defaultValue = "50") int limit) {
		if (limit < 1 || limit > 200) {
			throw new InvalidField("limit", "must be between 1 and 200");
		}
		return db.sql("select * from payment_transactions where user_id = :user order by created_at desc, id desc limit :limit")
			.bind("user", caller.userId())
			.bind("limit", limit)
			.map(Purchase::read)
			.all()
			.map(PaymentView::of);
	}

	record CheckoutRequest(@NotBlank String itemId) {
	}

	record Portal(String url) {
	}

	/**
	 * A purchase, a plan's checkout or a subscription's paid invoice. {@code refundedAmount} (minor units)
	 * came back to the payer; {@code creditsTakenBack} left the balance for it.
	 */
	record PaymentView(UUID id, String itemId, String kind, long amount, String currency, long credits, String status,
			@Nullable String checkoutId, @Nullable String checkoutUrl, @Nullable String invoiceId, long refundedAmount,
			long creditsTakenBack, Instant createdAt) {

		static PaymentView of(Purchase purchase) {
			return new PaymentView(purchase.id(), purchase.itemId(), purchase.kind(), purchase.amount(),
					purchase.currency(), purchase.credits(), purchase.status(), purchase.checkoutId(),
					"pending".equals(purchase.status()) ? purchase.checkoutUrl() : null, purchase.invoiceId(),
					purchase.refundedAmount(), purchase.creditsClawedBack(), purchase.createdAt());
		}
	}
}
