package dev.kiln.credits.web;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.kiln.credits.AccountId;
import dev.kiln.credits.Balance;
import dev.kiln.credits.CreditLedger;
import dev.kiln.credits.LedgerCursor;
import dev.kiln.credits.LedgerEntry;
import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.web.InvalidField;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own balance and ledger; there is no way to name another account here. */
@RestController
@RequestMapping("/v1/credits")
class CreditsController {

	private final CreditLedger ledger;

	CreditsController(CreditLedger ledger) {
		this.ledger = ledger;
	}

	@GetMapping
	Mono<Credits> balance(@AuthenticationPrincipal KilnPrincipal caller) {
		return ledger.balance(new AccountId(caller.userId())).defaultIfEmpty(Balance.of(0, 0)).map(Credits::of);
	}

	@GetMapping("/ledger")
	Mono<Page> ledger(@AuthenticationPrincipal KilnPrincipal caller, @RequestParam(required = false) @Nullable String cursor,
			@RequestParam(defaultValue = "50") int limit) {
		if (limit < 1 || limit > 200) {
			throw new InvalidField("limit", "must be between 1 and 200");
		}
		LedgerCursor position;
		try {
			position = cursor == null ? null : LedgerCursor.decode(cursor);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidField("cursor", "is not a cursor this API issued");
		}
		return ledger.ledger(new AccountId(caller.userId()), position, limit)
			.map(page -> new Page(page.entries().stream().map(Entry::of).toList(),
					page.next() == null ? null : page.next().encode()));
	}

	record Credits(long available, long held, long total) {

		static Credits of(Balance balance) {
			return new Credits(balance.available().units(), balance.held().units(), balance.total().units());
		}
	}

	record Entry(long id, String type, long amount, long availableAfter, long heldAfter, @Nullable UUID holdId,
			@Nullable UUID jobId, @Nullable String paymentRef, @Nullable String memo, Instant createdAt) {

		static Entry of(LedgerEntry entry) {
			return new Entry(entry.id(), entry.type().name().toLowerCase(), entry.amount(),
					entry.balanceAfter().available().units(), entry.balanceAfter().held().units(),
					entry.hold() == null ? null : entry.hold().value(), entry.jobId(), entry.paymentRef(), entry.memo(),
					entry.createdAt());
		}
	}

	record Page(List<Entry> entries, @Nullable String nextCursor) {
	}
}
