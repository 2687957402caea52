package dev.kiln.platform;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlinesTests {

	private static final Duration LIMIT = Duration.ofMillis(100);

	@Test
	void aCallThatAnswersInTimeGivesItsAnswer() {
		StepVerifier.create(Deadlines.within(LIMIT, Mono.just("answer"))).expectNext("answer").verifyComplete();
		StepVerifier.create(Deadlines.within(LIMIT, Mono.empty())).verifyComplete();
		StepVerifier.create(Deadlines.within(LIMIT, Mono.error(new IllegalStateException("refused"))))
			.verifyErrorMessage("refused");
	}

	@Test
	void aCallThatMissesTheDeadlineTimesOutAndIsCancelled() {
		AtomicBoolean cancelled = new AtomicBoolean();
		StepVerifier.create(Deadlines.within(LIMIT, Mono.never().doOnCancel(() -> cancelled.set(true))))
			.expectError(TimeoutException.class)
			.verify(Duration.ofSeconds(5));
		// the caller hears first; the cancel follows on the timer's thread
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilTrue(cancelled);
	}

	/** The case Mono#timeout loses: its TimeoutException never arrives and the caller waits forever. */
	@Test
	void aCallWhoseCancellationThrowsStillTimesOut() {
		Mono<String> stubborn = Mono.from(subscriber -> subscriber.onSubscribe(new Subscription() {
			@Override
			public void request(long n) {
			}

			@Override
			public void cancel() {
				throw new IllegalStateException("cannot cancel");
			}
		}));
		StepVerifier.create(Deadlines.within(LIMIT, stubborn).onErrorResume(TimeoutException.class, late -> Mono.just("fallback")))
			.expectNext("fallback")
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void aCallerGivingUpCancelsTheCall() {
		AtomicBoolean cancelled = new AtomicBoolean();
		StepVerifier.create(Deadlines.within(Duration.ofSeconds(30), Mono.never().doOnCancel(() -> cancelled.set(true))))
			.thenAwait(Duration.ofMillis(10))
			.thenCancel()
			.verify(Duration.ofSeconds(5));
		assertThat(cancelled).isTrue();
	}
}
