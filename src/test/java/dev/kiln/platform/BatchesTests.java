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

	/** Each batch runs until the test ends it. */
	private final Batches<Integer> batches = new Batches<>("test", 3, item -> item >= 0, batch -> {
		ran.add(batch);
		Sinks.Empty<Void> end = Sinks.empty();
		running.add(end);
		return end.asMono();
	});

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
	void aFailedBatchDoesNotStopTheNext() {
		Batches<Integer> failing = new Batches<>("test", 3, item -> true, batch -> {
			ran.add(batch);
			return batch.contains(1) ? Mono.error(new IllegalStateException("down")) : Mono.empty();
		});

		failing.add(1);
		failing.add(2);

		assertThat(ran).containsExactly(List.of(1), List.of(2));
	}
}
