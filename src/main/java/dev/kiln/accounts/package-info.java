/**
 * Accounts and access: users, sign-in (password, external OIDC issuers, API keys), tokens, roles.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Accounts")
package dev.kiln.accounts;
