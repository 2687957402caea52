/**
 * Generations: admission (price, hold, job, outbox in one transaction), dispatch to the provider,
 * completion, cancellation and reconciliation. Every state change is a compare-and-set in the same
 * transaction as its credit operation, and appends a job event.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Generations")
package dev.kiln.generations;
