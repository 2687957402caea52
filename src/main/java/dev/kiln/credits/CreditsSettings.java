package dev.kiln.credits;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param expirySweepInterval how often overdue holds are expired
 * @param expiryBatchSize how many overdue holds one sweep expires at most
 */
@ConfigurationProperties("kiln.credits")
@Validated
record CreditsSettings(@NotNull Duration expirySweepInterval, @Min(1) @Max(10_000) int expiryBatchSize) {
}
