package dev.kiln.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** Real time (or a frozen instant) plus every shift a test makes. */
public final class SettableClock extends Clock {

	private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

	private final Instant frozenAt;

	/** Follows real time. */
	public SettableClock() {
		this(null);
	}

	/** Stands still at {@code frozenAt} until advanced, for tests that compare times exactly. */
	public SettableClock(Instant frozenAt) {
		this.frozenAt = frozenAt;
	}

	public void advance(Duration duration) {
		offset.accumulateAndGet(duration, Duration::plus);
	}

	@Override
	public Instant instant() {
		return (frozenAt == null ? Instant.now() : frozenAt).plus(offset.get());
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("SettableClock is always UTC");
	}
}
