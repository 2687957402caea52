package dev.kiln.generations;

import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.publisher.Mono;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes admitted video jobs. The handler returns a {@code Mono}, so Spring Kafka acknowledges a record
 * only when its dispatch completes; while dispatches wait (endpoint full, RunPod's circuit open) their
 * records stay unacknowledged and the container stops fetching more: consumption pauses, jobs stay
 * queued in PostgreSQL and in Kafka, nothing fails. A redelivered record finds its job no longer queued
 * and does nothing.
 */
@Component
class VideoDispatcher {

	private final Dispatches dispatches;

	private final Jobs jobs;

	VideoDispatcher(Dispatches dispatches, Jobs jobs) {
		this.dispatches = dispatches;
		this.jobs = jobs;
	}

	@KafkaListener(id = "video-dispatcher", topics = "#{@topics.name('kiln.generation.requested.v1')}",
			groupId = "#{@topics.name('kiln.generation.requested.v1')}.dispatcher",
			autoStartup = "${kiln.generations.video.dispatcher-enabled:true}")
	Mono<Void> on(ConsumerRecord<String, String> record) {
		UUID id;
		try {
			id = UUID.fromString(record.key());
		}
		catch (RuntimeException ex) {
			return Mono.error(new PoisonMessage("the key is not a job id: " + record.key()));
		}
		// whether the job exists is asked only when it did not go: a read per record saved on the usual path
		return dispatches.dispatch(id)
			.switchIfEmpty(Mono.defer(() -> jobs.find(id)
				.switchIfEmpty(Mono.error(() -> new PoisonMessage("no job " + id + " exists")))))
			.then();
	}

	/** A message that can never be handled; it goes to the dead-letter topic at once. */
	static final class PoisonMessage extends RuntimeException {

		PoisonMessage(String why) {
			super(why);
		}
	}
}
