package dev.kiln.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Runs work one batch at a time: what is added while a batch runs goes together in the next, so under
 * load one statement serves many requests and at rest a request waits for nobody. The items carry their
 * own way to answer (a sink); {@code run} must answer every item of its batch, and its failure is only
 * logged here.
 */
public final class Batches<T> {

	private static final Logger log = LoggerFactory.getLogger(Batches.class);

	private final String name;

	private final int max;

	private final Predicate<T> wanted;

	private final Function<List<T>, Mono<Void>> run;

	private final Queue<T> pending = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean running = new AtomicBoolean();

	/**
	 * @param name what the batches do, for the log
	 * @param max items in one batch at most; the rest go in the next
	 * @param wanted whether an item still wants running when its batch starts (one given up is dropped)
	 * @param run runs one batch and answers each of its items
	 */
	public Batches(String name, int max, Predicate<T> wanted, Function<List<T>, Mono<Void>> run) {
		this.name = name;
		this.max = max;
		this.wanted = wanted;
		this.run = run;
	}

	public void add(T item) {
		pending.add(item);
		next();
	}

	/** Starts a batch unless one is running; the one running starts the next when it ends. */
	private void next() {
		if (!running.compareAndSet(false, true)) {
			return;
		}
		List<T> batch = new ArrayList<>();
		for (T item = pending.poll(); item != null; item = batch.size() < max ? pending.poll() : null) {
			if (wanted.test(item)) {
				batch.add(item);
			}
		}
		if (batch.isEmpty()) {
			running.set(false);
			// an item added after the poll above and before the flag dropped found the flag still up
			if (!pending.isEmpty()) {
				next();
			}
			return;
		}
		Mono.defer(() -> run.apply(batch)).doFinally(signal -> {
			running.set(false);
			next();
		}).subscribe(null, failure -> log.error("{} failed unexpectedly", name, failure));
	}
}
