/**
 * Payments: the catalog of credit packs and monthly plans, and (to come) Stripe Checkout, webhooks and
 * reconciliation that credit each paid purchase exactly once.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Payments")
package dev.kiln.payments;
