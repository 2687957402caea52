package dev.kiln.payments;

import java.time.Clock;

import dev.kiln.platform.scheduling.OneReplica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Credits purchases whose webhook never came: asks the provider about checkouts pending longer than
 * {@code kiln.payments.stripe.reconcile-after}. One replica at a time ({@link OneReplica}). Settling is idempotent anyway
 * (compare-and-set plus the ledger key), so overlap would cost calls, never money.
 */
@Component
class CheckoutReconciler {

	private static final Logger log = LoggerFactory.getLogger(CheckoutReconciler.class);

	private static final long LOCK = 0x6b696c6e_70617931L; // "kilnpay1"

	private final DatabaseClient db;

	private final PaymentGateway gateway;

	private final Settlements settlements;

	private final StripeSettings settings;

	private final Clock clock;

	private final OneReplica oneReplica;

	CheckoutReconciler(DatabaseClient db, PaymentGateway gateway, Settlements settlements, StripeSettings settings,
			Clock clock, OneReplica oneReplica) {
		this.db = db;
		this.gateway = gateway;
		this.settlements = settlements;
		this.settings = settings;
		this.clock = clock;
		this.oneReplica = oneReplica;
	}

	/** Re-subscribed by the scheduler on every run, so everything is decided at subscription. */
	@Scheduled(fixedDelayString = "${kiln.payments.reconcile-interval:1m}", initialDelayString = "${kiln.payments.reconcile-interval:1m}")
	Mono<Void> scheduled() {
		return reconcile().onErrorResume(ex -> {
			log.warn("checkout reconciliation failed; the next run retries", ex);
			return Mono.empty();
		}).then();
	}

	/** Returns how many checkouts were found paid. */
	Mono<Long> reconcile() {
		return oneReplica.run(LOCK, Mono.defer(() -> db.sql("select checkout_id from payment_transactions "
				+ "where status = 'pending' and checkout_id is not null and created_at < :before order by created_at limit 100")
			.bind("before", clock.instant().minus(settings.reconcileAfter()))
			.map(row -> row.get("checkout_id", String.class))
			.all()
			.concatMap(gateway::checkoutState)
			.filter(PaymentGateway.CheckoutState::isPaid)
			.concatMap(state -> settlements.paid(gateway.provider(), state, null).thenReturn(state))
			.count()
			.doOnNext(paid -> {
				if (paid > 0) {
					log.warn("reconciled {} paid checkouts whose webhook had not arrived", paid);
				}
			}))).defaultIfEmpty(0L);
	}
}
