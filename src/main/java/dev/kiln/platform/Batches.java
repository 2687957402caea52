package dev.kiln.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Runs work one batch at a time: what is added while a batch runs goes together in the next, so under
 * load one statement serves many requests and at rest a request waits for nobody. The items carry their
 * own way to answer (a sink): {@code run} answers every item of a batch that succeeds, and
 * {@code failed} every item of a batch that fails, however it fails.
 */
public final class Batches<T> {

	private static final Logger log = LoggerFactory.getLogger(Batches.class);

	private final String name;

	private final int max;

	private final Predicate<T> wanted;

	private final Function<List<T>, Mono<Void>> run;

	private final BiConsumer<T, Throwable> failed;

	private final Queue<T> pending = new ConcurrentLinkedQueue<>();

	/** Drain requests: only the caller that raises it from 0 drains, so a batch that ends at once loops, not recurses. */
	private final AtomicInteger drains = new AtomicInteger();

	private volatile boolean running;

	/**
	 * @param name what the batches do, for the log
	 * @param max items in one batch at most; the rest go in the next
	 * @param wanted whether an item still wants running when its batch starts (one given up is dropped)
	 * @param run runs one batch and answers each of its items
	 * @param failed answers an item of a batch that failed
	 */
	public Batches(String name, int max, Predicate<T> wanted, Function<List<T>, Mono<Void>> run,
			BiConsumer<T, Throwable> failed) {
		this.name = name;
		this.max = max;
		this.wanted = wanted;
		this.run = run;
		this.failed = failed;
	}

	public void add(T item) {
		pending.add(item);
		drain();
	}

	/** Starts a batch unless one is running; the one running asks again when it ends. */
	private void drain() {
		if (drains.getAndIncrement() != 0) {
			return;
		}
		do {
			if (!running && !pending.isEmpty()) {
				List<T> batch = take();
				if (!batch.isEmpty()) {
					running = true;
					start(batch);
				}
			}
		}
		while (drains.decrementAndGet() != 0);
	}

	private List<T> take() {
		List<T> batch = new ArrayList<>();
		for (T item = pending.poll(); item != null; item = batch.size() < max ? pending.poll() : null) {
			if (isWanted(item)) {
				batch.add(item);
			}
		}
		return batch;
	}

	private boolean isWanted(T item) {
		try {
			return wanted.test(item);
		}
		catch (RuntimeException ex) {
			answerFailure(item, ex);
			return false;
		}
	}

	private void start(List<T> batch) {
		Mono.defer(() -> run.apply(batch))
			.doOnError(failure -> {
				log.warn("{} failed for a batch of {}", name, batch.size(), failure);
				batch.forEach(item -> answerFailure(item, failure));
			})
			.doFinally(signal -> {
				running = false;
				drain();
			})
			// the failure was logged and answered above; this consumer only keeps Reactor from reporting it again
			.subscribe(null, failure -> {
			});
	}

	private void answerFailure(T item, Throwable failure) {
		try {
			failed.accept(item, failure);
		}
		catch (RuntimeException ex) {
			log.error("{} could not answer an item of a failed batch", name, ex);
		}
	}
}
