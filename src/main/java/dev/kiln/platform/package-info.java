/**
 * Cross-cutting web and configuration: request ids, RFC 9457 problem details, the clock.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Platform", type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dev.kiln.platform;
