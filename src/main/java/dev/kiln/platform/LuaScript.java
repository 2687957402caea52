package dev.kiln.platform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.data.redis.core.script.RedisScript;

/**
 * A Lua script whose SHA-1 is computed once, when it is made. Spring's {@code DefaultRedisScript} takes a
 * lock on every {@code getSha1()}, and two event-loop threads running the same script at once can park
 * on it: a blocking call on an event loop.
 */
public record LuaScript<T>(String getScriptAsString, String getSha1, Class<T> getResultType) implements RedisScript<T> {

	public static <T> LuaScript<T> of(String script, Class<T> resultType) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
			return new LuaScript<>(script, HexFormat.of().formatHex(digest), resultType);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JVM has SHA-1", ex);
		}
	}
}
