package dev.kiln.payments;

import java.time.Clock;

import dev.kiln.platform.scheduling.OneReplica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Applies the provider's events whose webhook never arrived: lists the handled types created within
 * {@code kiln.payments.stripe.reconcile-lookback}, skips those already in the inbox and applies the
 * rest, oldest first, exactly as if they had been delivered. So a lost {@code invoice.paid}, refund or
 * dispute is acted on within one interval. One replica at a time ({@link OneReplica}); applying is
 * idempotent anyway (inbox, compare-and-set, ledger keys).
 */
@Component
class EventReconciler {

	private static final Logger log = LoggerFactory.getLogger(EventReconciler.class);

	private static final long LOCK = 0x6b696c6e_70617932L; // "kilnpay2"

	private final PaymentGateway gateway;

	private final PaymentEvents events;

	private final Inbox inbox;

	private final StripeSettings settings;

	private final Clock clock;

	private final OneReplica oneReplica;

	EventReconciler(PaymentGateway gateway, PaymentEvents events, Inbox inbox, StripeSettings settings, Clock clock,
			OneReplica oneReplica) {
		this.gateway = gateway;
		this.events = events;
		this.inbox = inbox;
		this.settings = settings;
		this.clock = clock;
		this.oneReplica = oneReplica;
	}

	@Scheduled(fixedDelayString = "${kiln.payments.reconcile-interval:1m}", initialDelayString = "${kiln.payments.reconcile-interval:1m}")
	Mono<Void> scheduled() {
		return reconcile().onErrorResume(ex -> {
			log.warn("event reconciliation failed; the next run retries", ex);
			return Mono.empty();
		}).then();
	}

	/** Returns how many missed events were applied. */
	Mono<Long> reconcile() {
		return oneReplica.run(LOCK, Mono.defer(() -> gateway
			.events(clock.instant().minus(settings.reconcileLookback()), PaymentEvents.HANDLED)
			.collectList()
			.flatMapMany(listed -> inbox.received(gateway.provider(), listed.stream().map(PaymentGateway.PaymentEvent::id).toList())
				.flatMapIterable(received -> listed.stream().filter(event -> !received.contains(event.id())).toList()))
			// one event that cannot be applied (say its object is gone) must not stop the ones after it
			.concatMap(event -> events.apply(event).thenReturn(event).onErrorResume(ex -> {
				log.error("could not apply missed event {} ({}); the next run tries again", event.id(), event.type(), ex);
				return Mono.empty();
			}))
			.doOnNext(event -> log.warn("applied event {} ({}) whose webhook had not arrived", event.id(), event.type()))
			.count())).defaultIfEmpty(0L);
	}
}
