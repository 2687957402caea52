package dev.kiln.messaging;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

@Configuration(proxyBeanMethods = false)
class MessagingConfiguration {

	/** Creates the defined topics that do not exist yet (locally and in tests; clusters create them from k8s/). */
	@Bean
	KafkaAdmin.NewTopics kilnTopics(Topics topics) {
		return new KafkaAdmin.NewTopics(topics.newTopics().toArray(org.apache.kafka.clients.admin.NewTopic[]::new));
	}

	/**
	 * A container whose listener returns a {@code Mono} pauses its consumer until every record of the last
	 * poll is acknowledged. Each acknowledgement wakes the paused poll, but one that lands while the
	 * container commits offsets wakes the commit instead, and the paused poll then waits out its whole
	 * timeout (Spring Kafka's default is 100 ms) before the next fetch. Measured at 50/s, one poll in five of
	 * the video dispatcher stalled so (docs/performance.md). A short timeout costs one empty poll per few
	 * milliseconds while paused. The loss itself is Spring Kafka's (issue 4622): 4.1.2 retries the aborted
	 * commit, but the wake-up stays spent, so this bound is needed on either version.
	 */
	@Bean
	ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> shortPausedPolls(
			MessagingSettings settings) {
		return container -> container.getContainerProperties().setPollTimeoutWhilePaused(settings.pausedPollTimeout());
	}
}
