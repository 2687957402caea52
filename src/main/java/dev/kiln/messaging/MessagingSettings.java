package dev.kiln.messaging;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param topicPrefix put before every topic name (tests give each application context its own)
 * @param replicas replicas of topics Kiln creates; 0 keeps each topic's own (production); 1 for a
 *     single local broker
 * @param relaySweepInterval how often the outbox relay looks for rows even without a notification
 * @param relayBatchSize rows the relay claims and publishes at a time
 * @param relayClaim how long a relay's claim on rows lasts: longer than the producer may take to give up
 *     on a send ({@code delivery.timeout.ms}, 2 minutes by default), so that no other relay sends them
 *     while it still tries; after a crash, the rows wait this long before another relay sends them
 * @param pausedPollTimeout how long a listener container's poll waits while its consumer is paused (for
 *     the last poll's records still being handled, or by request); the next poll after the last
 *     acknowledgement can wait this long ({@link MessagingConfiguration#shortPausedPolls})
 */
@ConfigurationProperties("kiln.messaging")
@Validated
public record MessagingSettings(@NotNull @Pattern(regexp = "[a-z0-9.-]*") String topicPrefix, @Min(0) @Max(5) int replicas,
		@NotNull Duration relaySweepInterval, @Min(1) @Max(1000) int relayBatchSize, @NotNull Duration relayClaim,
		@NotNull @DurationMin(millis = 1) Duration pausedPollTimeout) {
}
