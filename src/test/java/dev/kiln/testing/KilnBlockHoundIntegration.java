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
		// The AWS SDK closes its connection pools on Netty's global executor when the context closes, waiting
		// for each pool there: shutdown only, never on a request's path (it made every context close wait 5 s).
		builder.allowBlockingCallsInside("io.netty.channel.pool.SimpleChannelPool", "close");
		// Netty 4.2's adaptive buffer allocator takes a StampedLock for an instant when two event loops grow
		// or free a shared magazine at once (seen under concurrent duplicate webhooks): Netty's own
		// allocator, microseconds, not a wait on I/O.
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
		// The AWS SDK keeps a pool of MessageDigests in a LinkedBlockingDeque: presigning a URL takes one and
		// gives it back under the deque's lock, held for an instant (seen when a dispatch presigned upload
		// URLs while a stream presigned download URLs): no I/O, never a wait for a digest.
		builder.allowBlockingCallsInside("software.amazon.awssdk.checksums.internal.DigestAlgorithm", "getDigest");
		builder.allowBlockingCallsInside("software.amazon.awssdk.checksums.internal.DigestAlgorithm$CloseableMessageDigest", "close");
		// Lettuce guards each connection's writes with a lock held while a command is handed to Netty (no
		// I/O wait): two threads sending on the shared connection at once park for an instant. BlockHound's
		// error thrown from inside that lock left it wedged, and the context's close then spun forever.
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive");
		// Spring Data Redis hands out its shared connection under a lock on every reactive command, twice:
		// the factory's holder, then the holder's connection. The connection is opened at start-up
		// (RedisConfiguration's eager initialisation) and not validated per use, so each lock only guards a
		// field read; event loops sending commands at once park on it for an instant (seen in CI, the
		// second lock, while StalledRedisIntegrationTests kept Redis busy).
		builder.allowBlockingCallsInside("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
				"getOrCreateSharedReactiveConnection");
		builder.allowBlockingCallsInside(
				"org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory$SharedConnection",
				"getConnection");
		// Resilience4j records each call's outcome in its circuit breakers' sliding windows under a lock
		// (since 2.x a ReentrantLock, not synchronized): RunPod or Vertex answers finishing together on
		// several event loops park for an instant. An error thrown in there would lose the call's result.
		for (String window : new String[] { "FixedSizeSlidingWindowMetrics", "SlidingTimeWindowMetrics" }) {
			builder.allowBlockingCallsInside("io.github.resilience4j.core.metrics." + window, "record");
			builder.allowBlockingCallsInside("io.github.resilience4j.core.metrics." + window, "getSnapshot");
		}
		builder.allowBlockingCallsInside("io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine$OpenState",
				"toHalfOpenState");
		// Jackson builds the deserializer of a type the first time it reads one, under a lock: requests of a
		// type arriving together on several event loops, just after start, park for an instant while the
		// first builds it (seen when a burst of admissions met a cold context). Once per type, no I/O.
		builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer");
		// Hibernate Validator caches a class's constraint metadata the first time it validates one, in a
		// segment-locked map: the same first burst, the same instant, once per class.
		builder.allowBlockingCallsInside("org.hibernate.validator.internal.metadata.BeanMetaDataManagerImpl", "getBeanMetaData");
		// springdoc builds the API description on a thread of its own at start-up (pre-loading-enabled, so no
		// request ever scans the classpath) under the lock every GET /v3/api-docs takes: a request arriving
		// during that build parks until it is done (seen in CI); afterwards the lock guards a cached read.
		builder.allowBlockingCallsInside("org.springdoc.api.AbstractOpenApiResource", "getOpenApi");
	}
}
