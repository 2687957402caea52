package dev.kiln.testing;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random UUIDs that are safe to make on an event loop: {@link UUID#randomUUID()} reads SecureRandom,
 * which may block (BlockHound says so), and test ids need no secrecy.
 */
public final class TestIds {

	private TestIds() {
	}

	public static UUID uuid() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
				(random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
	}
}
