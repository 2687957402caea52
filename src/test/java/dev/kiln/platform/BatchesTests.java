package dev.kiln.platform;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;

class BatchesTests {

	private final List<List<Integer>> ran = new CopyOnWriteArrayList<>();

	private final List<Sinks.Empty<Void>> running = new CopyOnWriteArrayList<>();

	private final List<String> failures = new CopyOnWriteArrayList<>();

	/** Each batch runs until the test ends it. */
	private final Batches<Integer> batches = new Batches<>("test", 3, item -> item >= 0, batch -> {
		ran.add(batch);
		Sinks.Empty<Void> end = Sinks.empty();
		running.add(end);
		return end.asMono();
	}, (item, failure) -> failures.add(item + ": " + failure.getMessage()));

	@Test
	void anItemAtRestRunsAtOnceAndTheOnesAddedMeanwhileGoTogetherInTheNext() {
		batches.add(1);
		assertThat(ran).containsExactly(List.of(1));

		batches.add(2);
		batches.add(-1); // given up before its batch starts: dropped
		batches.add(3);
		assertThat(ran).hasSize(1);

		running.getLast().tryEmitEmpty();
		assertThat(ran).containsExactly(List.of(1), List.of(2, 3));
	}

	@Test
	void aBatchTakesAtMostItsSizeAndTheRestGoInTheNext() {
		batches.add(0);
		for (int i = 1; i <= 5; i++) {
			batches.add(i);
		}
		running.getLast().tryEmitEmpty();
		running.getLast().tryEmitEmpty();
		running.getLast().tryEmitEmpty();

		assertThat(ran).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5));
	}

	@Test
	void aFailedBatchFailsEachOfItsItemsAndTheNextStillRuns() {
		batches.add(1);
		batches.add(2);
		batches.add(3);

		running.getFirst().tryEmitError(new IllegalStateException("down"));
		assertThat(failures).containsExactly("1: down");
		assertThat(ran).containsExactly(List.of(1), List.of(2, 3));
		running.getLast().tryEmitError(new IllegalStateException("still down"));
		assertThat(failures).containsExactly("1: down", "2: still down", "3: still down");
	}

	@Test
	void aBatchThatThrowsInsteadOfFailingStillFailsItsItems() {
		Batches<Integer> throwing = new Batches<>("test", 3, item -> true, batch -> {
			ran.add(batch);
			if (batch.contains(1)) {
				throw new IllegalStateException("thrown");
			}
			return Mono.empty();
		}, (item, failure) -> failures.add(item + ": " + failure.getMessage()));

		throwing.add(1);
		throwing.add(2);

		assertThat(failures).containsExactly("1: thrown");
		assertThat(ran).containsExactly(List.of(1), List.of(2));
	}

	@Test
	void batchesThatEndAtOnceRunOneAfterTheOtherWithoutGrowingTheStack() {
		List<Integer> sizes = new CopyOnWriteArrayList<>();
		Batches<Integer>[] self = new Batches[1];
		self[0] = new Batches<>("test", 1, item -> true, batch -> {
			sizes.add(Thread.currentThread().getStackTrace().length);
			if (batch.getFirst() < 2_000) {
				self[0].add(batch.getFirst() + 1);
			}
			return Mono.empty();
		}, (item, failure) -> failures.add(item + ": " + failure));

		self[0].add(0);

		assertThat(sizes).hasSize(2_001);
		assertThat(sizes.getLast()).isEqualTo(sizes.get(1));
		assertThat(failures).isEmpty();
	}
}
