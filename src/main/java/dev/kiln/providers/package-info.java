/**
 * The paid AI providers Kiln calls, one sub-package each ({@code runpod}, later {@code vertex}): their
 * clients, settings and resilience. Open, so features use the clients directly; provider keys never
 * leave these packages.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Providers", type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dev.kiln.providers;
