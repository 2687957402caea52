package dev.kiln.accounts;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Stream tickets: how a browser's {@code EventSource}, which cannot send an Authorization header,
 * opens an event stream.
 *
 * @param ttl how long a ticket may wait before it is used (once)
 */
@ConfigurationProperties("kiln.stream-tickets")
@Validated
record StreamTicketSettings(@NotNull Duration ttl) {
}
