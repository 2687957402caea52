package dev.kiln.accounts;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Argon2id hashing. A hash costs tens of milliseconds of CPU and memory on purpose, so it runs on a
 * scheduler of its own rather than on an event loop, where it would stall every other request on that
 * loop. The scheduler is a bounded-elastic one capped at one thread per core: the work is CPU-bound,
 * and the encoder's salt comes from a SecureRandom that reads the OS entropy source (blocking I/O,
 * which Reactor's parallel threads must not do). Past its queue, sign-ins are refused rather than queued
 * without bound.
 */
@Component
class Passwords implements DisposableBean {

	private final Argon2PasswordEncoder encoder = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();

	private final Scheduler hashing = Schedulers.newBoundedElastic(Runtime.getRuntime().availableProcessors(), 1_000,
			"password-hashing", 60, true);

	/** Compared against when the account does not exist, so a miss costs as much as a wrong password. */
	private final String decoy = encoder.encode("decoy-password-for-unknown-accounts");

	Mono<String> hash(String password) {
		return Mono.fromCallable(() -> encoder.encode(password)).subscribeOn(hashing).onErrorMap(
				java.util.concurrent.RejectedExecutionException.class, Passwords::busy);
	}

	/** True when {@code password} matches; with no hash, checks a decoy and answers false. */
	Mono<Boolean> matches(String password, @Nullable String hash) {
		return Mono.fromCallable(() -> {
			if (hash == null) {
				encoder.matches(password, decoy);
				return false;
			}
			return encoder.matches(password, hash);
		}).subscribeOn(hashing).onErrorMap(java.util.concurrent.RejectedExecutionException.class, Passwords::busy);
	}

	/** The hashing queue is full: ask the client to come back instead of queueing without bound. */
	private static org.springframework.web.ErrorResponseException busy(Throwable cause) {
		org.springframework.web.ErrorResponseException busy = new org.springframework.web.ErrorResponseException(
				org.springframework.http.HttpStatus.SERVICE_UNAVAILABLE,
				dev.kiln.platform.web.Problems.of(org.springframework.http.HttpStatus.SERVICE_UNAVAILABLE, "busy",
						"Too many sign-ins are being checked right now; retry in a second."),
				cause);
		busy.getHeaders().set(org.springframework.http.HttpHeaders.RETRY_AFTER, "1");
		return busy;
	}

	@Override
	public void destroy() {
		hashing.dispose();
	}
}
