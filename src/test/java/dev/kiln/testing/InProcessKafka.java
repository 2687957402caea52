package dev.kiln.testing;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker (KRaft mode, no ZooKeeper) inside the JVM, started on first use and shared. It is
 * not stopped explicitly: the test kit deletes its log folders in its own shutdown hook, and stopping
 * the broker in a second hook races with that deletion.
 */
public final class InProcessKafka {

	private static EmbeddedKafkaKraftBroker broker;

	private InProcessKafka() {
	}

	public static synchronized String bootstrapServers() {
		if (broker == null) {
			EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 1);
			started.kafkaPorts(0);
			started.afterPropertiesSet();
			broker = started;
		}
		return broker.getBrokersAsString();
	}
}
