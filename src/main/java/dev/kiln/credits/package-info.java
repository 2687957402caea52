/**
 * Credits: every account's balance and the append-only ledger that explains it. Spending is two-phase
 * (hold, then post or void), and every operation is idempotent by its key.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Credits")
package dev.kiln.credits;
