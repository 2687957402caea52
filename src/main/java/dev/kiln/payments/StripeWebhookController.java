package dev.kiln.payments;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Stripe's webhooks. The signature is checked on the raw body before anything else; a forged, stale or
 * malformed event is a 400 and changes nothing. A genuine one is applied, or recognised as a repeat, and
 * acknowledged with 200; if applying it fails, Stripe gets a 5xx and delivers it again.
 */
@RestController
class StripeWebhookController {

	private static final Logger log = LoggerFactory.getLogger(StripeWebhookController.class);

	private final PaymentGateway gateway;

	private final PaymentEvents events;

	StripeWebhookController(PaymentGateway gateway, PaymentEvents events) {
		this.gateway = gateway;
		this.events = events;
	}

	@PostMapping(path = "/webhooks/stripe", consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<Received> receive(@RequestBody String payload, @RequestHeader(name = "Stripe-Signature", required = false) @Nullable String signature) {
		PaymentGateway.PaymentEvent event = gateway.verify(payload, signature);
		log.info("stripe event {} ({})", event.id(), event.type());
		return events.apply(event).thenReturn(new Received(true));
	}

	record Received(boolean received) {
	}
}
