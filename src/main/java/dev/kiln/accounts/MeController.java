package dev.kiln.accounts;

import java.time.Instant;
import java.util.UUID;

import dev.kiln.accounts.crypto.PersonalDataCipher;
import dev.kiln.credits.AccountId;
import dev.kiln.credits.Balance;
import dev.kiln.credits.CreditLedger;
import dev.kiln.platform.security.KilnPrincipal;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class MeController {

	private final Users users;

	private final PersonalDataCipher cipher;

	private final CreditLedger ledger;

	MeController(Users users, PersonalDataCipher cipher, CreditLedger ledger) {
		this.users = users;
		this.cipher = cipher;
		this.ledger = ledger;
	}

	@GetMapping("/v1/me")
	Mono<Profile> me(@AuthenticationPrincipal KilnPrincipal caller) {
		return users.findById(caller.userId())
			.zipWith(ledger.balance(new AccountId(caller.userId())).defaultIfEmpty(Balance.of(0, 0)))
			.map(found -> Profile.of(found.getT1(), found.getT2(), cipher));
	}

	record Profile(UUID id, @Nullable String email, @Nullable String name, String role, String status,
			Instant createdAt, Credits credits) {

		static Profile of(UserRecord user, Balance balance, PersonalDataCipher cipher) {
			return new Profile(user.id(), user.emailSealed() == null ? null : cipher.decrypt(user.emailSealed(), user.id()),
					user.nameSealed() == null ? null : cipher.decrypt(user.nameSealed(), user.id()), user.role().code(),
					user.status(), user.createdAt(), new Credits(balance.available().units(), balance.held().units()));
		}

		/** Debug logging of response bodies must not print personal data. */
		@Override
		public String toString() {
			return "Profile[id=" + id + ", role=" + role + ", status=" + status + "]";
		}
	}

	record Credits(long available, long held) {
	}
}
