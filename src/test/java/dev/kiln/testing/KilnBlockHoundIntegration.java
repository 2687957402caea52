package dev.kiln.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Known, bounded waits inside libraries that are not blocking I/O. Each allowance names the library
 * call, never Kiln code: a blocking call in Kiln must fail.
 */
class KilnBlockHoundIntegration implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		// Logback appends under a lock held for microseconds; logging from event loops is expected.
		builder.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes");
		builder.allowBlockingCallsInside("ch.qos.logback.core.UnsynchronizedAppenderBase", "doAppend");
	}
}
