package dev.kiln.messaging;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Creates the defined topics that do not exist yet (locally and in tests; clusters create them from k8s/). */
@Configuration(proxyBeanMethods = false)
class MessagingConfiguration {

	@Bean
	KafkaAdmin.NewTopics kilnTopics(Topics topics) {
		return new KafkaAdmin.NewTopics(topics.newTopics().toArray(org.apache.kafka.clients.admin.NewTopic[]::new));
	}
}
