package dev.kiln.platform;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * A deadline on a call whose answer is optional (Redis, where every caller fails open or closed when it
 * does not answer). Unlike {@link Mono#timeout(Duration)}, the caller hears of the deadline before the
 * late call is cancelled: Reactor's timeout cancels first, and when a cancellation throws (seen once in
 * 18,000 requests under overload, from inside the Redis client's cancel path), its {@link TimeoutException}
 * is lost and the request waits forever. Here a failing cancellation is logged and changes nothing.
 */
public final class Deadlines {

	private static final Logger log = LoggerFactory.getLogger(Deadlines.class);

	private Deadlines() {
	}

	/**
	 * The call's value, error or emptiness if it comes within {@code limit}; otherwise a
	 * {@link TimeoutException}, signalled first, after which the call is cancelled.
	 */
	public static <T> Mono<T> within(Duration limit, Mono<T> call) {
		return Mono.create(sink -> {
			AtomicBoolean settled = new AtomicBoolean();
			Disposable deadline = Schedulers.parallel().schedule(() -> {
				if (settled.compareAndSet(false, true)) {
					sink.error(new TimeoutException("no answer within " + limit));
				}
			}, limit.toNanos(), TimeUnit.NANOSECONDS);
			Disposable running = call.contextWrite(sink.contextView()).subscribe(value -> {
				if (settled.compareAndSet(false, true)) {
					sink.success(value);
				}
			}, error -> {
				if (settled.compareAndSet(false, true)) {
					sink.error(error);
				}
				else {
					Operators.onErrorDropped(error, Context.of(sink.contextView()));
				}
			}, () -> {
				if (settled.compareAndSet(false, true)) {
					sink.success();
				}
			});
			sink.onDispose(() -> {
				deadline.dispose();
				try {
					running.dispose();
				}
				catch (RuntimeException ex) {
					log.warn("cancelling a call that is no longer awaited failed; its caller has moved on", ex);
				}
			});
		});
	}
}
