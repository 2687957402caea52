package dev.kiln.accounts.crypto;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import dev.kiln.testing.TestIds;
import dev.kiln.testing.TestKeys;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The cipher is called on event loops: under BlockHound, nothing it does there may block. */
class PersonalDataCipherNonBlockingTests {

	@Test
	void blockHoundWatchesTheParallelScheduler() {
		Mono<String> sleeping = Mono.fromCallable(() -> {
			Thread.sleep(1);
			return "slept";
		}).subscribeOn(Schedulers.parallel());

		StepVerifier.create(sleeping).expectError(BlockingOperationError.class).verify(Duration.ofSeconds(5));
	}

	@Test
	void sealsOpensAndIndexesOnParallelThreadsWithoutBlocking() {
		// built on this thread, as Spring builds it at start-up
		PersonalDataCipher cipher = PersonalDataCipherTests.cipher(Map.of("k1", TestKeys.randomKey(32)), "k1",
				TestKeys.randomKey(32));

		Mono<Long> roundTrips = Flux.range(0, 2_000)
			.parallel()
			.runOn(Schedulers.parallel())
			.filter(i -> {
				UUID owner = TestIds.uuid();
				String email = "user" + i + "@example.com";
				byte[] sealed = cipher.encrypt(email, owner);
				return cipher.isSealedWithActiveKey(sealed) && cipher.decrypt(sealed, owner).equals(email)
						&& Arrays.equals(cipher.blindIndex(email), cipher.blindIndex(email));
			})
			.sequential()
			.count();

		StepVerifier.create(roundTrips).expectNext(2_000L).verifyComplete();
	}
}
