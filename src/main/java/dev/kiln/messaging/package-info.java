/**
 * Messaging: Kafka topics defined once in {@code kafka/topics.yaml}, and the transactional outbox that
 * publishes what a database transaction decided, at least once.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Messaging")
package dev.kiln.messaging;
