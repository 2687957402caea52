package dev.kiln.credits;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Returns the credits of holds nobody settled before their deadline. Every replica may run it: the
 * ledger locks and re-checks each hold, so a hold is expired once.
 */
@Component
class HoldExpirySweep {

	private static final Logger log = LoggerFactory.getLogger(HoldExpirySweep.class);

	private final CreditLedger ledger;

	private final CreditsSettings settings;

	HoldExpirySweep(CreditLedger ledger, CreditsSettings settings) {
		this.ledger = ledger;
		this.settings = settings;
	}

	/**
	 * Spring calls a reactive scheduled method once and re-subscribes the returned publisher on every
	 * run, so everything here must be decided at subscription, not when the method is called.
	 */
	@Scheduled(fixedDelayString = "${kiln.credits.expiry-sweep-interval}",
			initialDelayString = "${kiln.credits.expiry-sweep-interval}")
	Mono<Void> sweep() {
		return ledger.expireOverdue(settings.expiryBatchSize())
			.count()
			.doOnNext(expired -> {
				if (expired > 0) {
					log.info("expired {} overdue holds", expired);
				}
			})
			.onErrorResume(ex -> {
				log.warn("hold expiry sweep failed; the next one retries", ex);
				return Mono.empty();
			})
			.then();
	}
}
