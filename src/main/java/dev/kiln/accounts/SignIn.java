package dev.kiln.accounts;

import java.util.UUID;

import dev.kiln.accounts.crypto.PersonalDataCipher;
import dev.kiln.credits.AccountId;
import dev.kiln.credits.CreditLedger;
import dev.kiln.platform.security.KilnPrincipal;
import dev.kiln.platform.security.Role;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Email-and-password accounts: sign up, log in, refresh, log out. Answers never reveal whether an
 * email has an account: sign-up answers the same either way, and a login for an unknown email spends
 * the same Argon2 time as a wrong password.
 */
@Service
class SignIn {

	private static final Logger log = LoggerFactory.getLogger(SignIn.class);

	private final Users users;

	private final Passwords passwords;

	private final PersonalDataCipher cipher;

	private final AccessTokens accessTokens;

	private final RefreshTokens refreshTokens;

	private final RevokedSessions revokedSessions;

	private final LoginThrottle throttle;

	private final CreditLedger ledger;

	private final TransactionalOperator transactions;

	SignIn(Users users, Passwords passwords, PersonalDataCipher cipher, AccessTokens accessTokens,
			RefreshTokens refreshTokens, RevokedSessions revokedSessions, LoginThrottle throttle, CreditLedger ledger,
			TransactionalOperator transactions) {
		this.users = users;
		this.passwords = passwords;
		this.cipher = cipher;
		this.accessTokens = accessTokens;
		this.refreshTokens = refreshTokens;
		this.revokedSessions = revokedSessions;
		this.throttle = throttle;
		this.ledger = ledger;
		this.transactions = transactions;
	}

	/** Creates the account and its credit account, unless the email already has one; either way, no sign. */
	Mono<Void> signUp(EmailAddress email, String password, @Nullable String name) {
		return create(email, password, name, Role.USER).then();
	}

	/**
	 * Makes sure the configured first admin exists: creates it when its email is free; leaves an admin
	 * alone; and never promotes an existing user, whose owner Kiln cannot verify (someone may have
	 * signed up with the operator's email first). True when the admin is in place.
	 */
	Mono<Boolean> ensureAdmin(EmailAddress email, String password) {
		return users.findByEmailIndex(cipher.blindIndex(email.value()))
			.map(existing -> {
				if (existing.role() != Role.ADMIN) {
					log.error("an account with the bootstrap admin's email exists and is not an admin; it is not "
							+ "promoted, since its owner cannot be verified. Resolve by hand (see the runbook).");
				}
				return existing.role() == Role.ADMIN;
			})
			.switchIfEmpty(Mono.defer(() -> create(email, password, null, Role.ADMIN)));
	}

	private Mono<Boolean> create(EmailAddress email, String password, @Nullable String name, Role role) {
		UUID id = Secrets.uuid();
		return passwords.hash(password)
			.flatMap(hash -> users
				.create(id, cipher.blindIndex(email.value()), cipher.encrypt(email.value(), id),
						name == null ? null : cipher.encrypt(name, id), hash, role)
				.flatMap(created -> created ? ledger.open(new AccountId(id)).thenReturn(true) : Mono.just(false))
				.as(transactions::transactional))
			.doOnNext(created -> log.info(created ? "signed up user {} ({})" : "sign-up for an email that has an account",
					id, role.code()));
	}

	Mono<Session> logIn(EmailAddress email, String password, String clientAddress) {
		byte[] index = cipher.blindIndex(email.value());
		return throttle.check(index, clientAddress)
			.then(users.findByEmailIndex(index).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty()))
			.flatMap(user -> passwords.matches(password, user.map(UserRecord::passwordHash).orElse(null))
				.filter(Boolean::booleanValue)
				.flatMap(matched -> Mono.justOrEmpty(user))
				.switchIfEmpty(Mono.error(AuthFailure::invalidCredentials)))
			.flatMap(user -> refreshTokens.start(user.id())
				.map(refresh -> session(user, refresh)))
			.doOnNext(session -> log.info("user logged in"));
	}

	Mono<Session> refresh(String presented) {
		return refreshTokens.rotate(presented).flatMap(rotation -> switch (rotation.outcome()) {
			case ROTATED -> users.findById(rotation.next().user()).map(user -> session(user, rotation.next()));
			case REUSED -> {
				log.warn("refresh token reuse detected: session {} revoked", rotation.family());
				yield revokedSessions.revoke(rotation.family()).then(Mono.error(AuthFailure.refreshTokenReused()));
			}
			default -> Mono.error(AuthFailure.invalidRefreshToken());
		});
	}

	/** Ends the caller's session (and the one of {@code refreshToken}, when given): tokens stop working. */
	Mono<Void> logOut(KilnPrincipal caller, @Nullable String refreshToken) {
		Mono<Void> presented = refreshToken == null ? Mono.empty()
				: refreshTokens.revokeFamilyOf(refreshToken).flatMap(revokedSessions::revoke);
		Mono<Void> current = caller.sessionId() == null ? Mono.empty()
				: refreshTokens.revokeFamily(caller.sessionId()).then(revokedSessions.revoke(caller.sessionId()));
		return presented.then(current).doOnSuccess(done -> log.info("user {} logged out", caller.userId()));
	}

	private Session session(UserRecord user, RefreshTokens.Issued refresh) {
		AccessTokens.IssuedAccessToken access = accessTokens.issue(user.id(), user.role(), refresh.family());
		return new Session(access.value(), access.expiresAt(), refresh.token());
	}
}
