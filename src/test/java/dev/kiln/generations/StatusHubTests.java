package dev.kiln.generations;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.kiln.generations.StatusHub.Signal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** The hub's promises to streams: bounded buffering, the per-user cap, cleanup on cancel. */
class StatusHubTests {

	final UUID alice = UUID.randomUUID();

	final StatusHub hub = new StatusHub(settings(2), new SimpleMeterRegistry());

	@Test
	void aStreamThatRequestsNothingKeepsOnlyTheNewestSignal() {
		StepVerifier.create(hub.watch(alice), 0)
			.then(() -> {
				for (int seq = 1; seq <= 10_000; seq++) {
					hub.deliver(event(alice, seq));
				}
			})
			.thenRequest(1)
			.assertNext(signal -> assertThat(((Signal.Live) signal).event().seq()).isEqualTo(10_000))
			.thenRequest(1)
			.expectNoEvent(Duration.ofMillis(50))
			.thenCancel()
			.verify();
	}

	@Test
	void eachUserMayOpenOnlySoManyStreamsAndCancellingFreesTheirPlaces() {
		var first = hub.watch(alice).subscribe();
		var second = hub.watch(alice).subscribe();
		assertThat(hub.hasRoom(alice)).isFalse();
		StepVerifier.create(hub.watch(alice)).expectError(TooManyStreams.class).verify();
		assertThat(hub.hasRoom(UUID.randomUUID())).isTrue();
		assertThat(hub.openStreams()).isEqualTo(2);

		first.dispose();
		second.dispose();
		assertThat(hub.openStreams()).isZero();
		assertThat(hub.watchedUsers()).isEmpty();
	}

	@Test
	void theSweepNudgesOnlyUsersWhoseStreamsMissedSomething() {
		StepVerifier.create(hub.watch(alice))
			.then(() -> hub.deliver(event(alice, 1)))
			.expectNextMatches(signal -> signal instanceof Signal.Live)
			.then(() -> hub.behind(alice, 1))
			.expectNoEvent(Duration.ofMillis(50))
			.then(() -> hub.behind(alice, 2))
			.expectNext(new Signal.Behind(2))
			.then(() -> hub.deliver(event(UUID.randomUUID(), 7)))
			.expectNoEvent(Duration.ofMillis(50))
			.thenCancel()
			.verify();
	}

	static JobEvent event(UUID user, long seq) {
		return new JobEvent(UUID.randomUUID(), user, 1, seq, "running", 50, null, Instant.now());
	}

	static GenerationSettings settings(int maxPerUser) {
		return new GenerationSettings(null, "secret", null,
				new GenerationSettings.Streams("status", Duration.ofSeconds(15), Duration.ofSeconds(3), maxPerUser,
						Duration.ofSeconds(5)));
	}
}
