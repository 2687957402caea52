package dev.kiln.testing;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** BlockHound is really installed for the test run: a blocking call on a non-blocking thread fails. */
class BlockHoundTests {

	@Test
	void aBlockingCallOnANonBlockingThreadFails() {
		Mono<String> sleeping = Mono.fromCallable(() -> {
			Thread.sleep(1);
			return "slept";
		}).subscribeOn(Schedulers.parallel());

		StepVerifier.create(sleeping).expectError(BlockingOperationError.class).verify(Duration.ofSeconds(5));
	}

	@Test
	void theSameCallOnABoundedElasticThreadIsAllowed() {
		Mono<String> sleeping = Mono.fromCallable(() -> {
			Thread.sleep(1);
			return "slept";
		}).subscribeOn(Schedulers.boundedElastic());

		StepVerifier.create(sleeping).expectNext("slept").verifyComplete();
	}
}
