package dev.kiln.providers.vertex;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import dev.kiln.platform.Deadlines;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Answers of deterministic text requests in Redis, under {@code kiln:vertex-cache:<SHA-256 of the
 * request's canonical JSON>}. Fails open on purpose: when Redis errs or is slow the request goes to
 * Vertex (dearer, never wrong), with a warning; money never depends on this cache.
 */
@Component
class AnswerCache {

	static final String PREFIX = "kiln:vertex-cache:";

	private static final Logger log = LoggerFactory.getLogger(AnswerCache.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** What is hashed: every input that shapes the answer, in a fixed order. */
	private record Key(String kind, String model, List<Message> messages, double temperature, int maxOutputTokens,
			@Nullable String systemInstruction) {
	}

	/** What is kept: the answer as Vertex gave it; credits are priced again on a hit. */
	record Stored(String text, String finishReason, Route servedBy, Usage usage) {
	}

	private final ReactiveStringRedisTemplate redis;

	private final VertexSettings.Cache settings;

	AnswerCache(ReactiveStringRedisTemplate redis, VertexSettings settings) {
		this.redis = redis;
		this.settings = settings.cache();
	}

	boolean caches(TextRequest request) {
		return settings.enabled() && request.deterministic();
	}

	/** The request's key: the primary model stands for the chain, as fallbacks answer the same prompt. */
	static String key(TextRequest request, Route primary, int maxOutputTokens) {
		Key key = new Key("text", primary.model(), request.messages(), request.temperature(), maxOutputTokens,
				request.systemInstruction());
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256")
				.digest(JSON.writeValueAsString(key).getBytes(StandardCharsets.UTF_8));
			return PREFIX + HexFormat.of().formatHex(hash);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every JVM has SHA-256", ex);
		}
	}

	/** The stored answer, or empty on a miss or when Redis fails. */
	Mono<Stored> get(String key) {
		return Deadlines.within(settings.timeout(), redis.opsForValue().get(key))
			.map(json -> JSON.readValue(json, Stored.class))
			.onErrorResume(error -> {
				log.warn("Vertex answer cache unreadable, asking Vertex instead: {}", error.toString());
				return Mono.empty();
			});
	}

	/** Keeps the answer for the configured time; completes quietly when Redis fails. */
	Mono<Void> put(String key, Stored answer) {
		return Deadlines.within(settings.timeout(), redis.opsForValue().set(key, JSON.writeValueAsString(answer), settings.ttl()))
			.onErrorResume(error -> {
				log.warn("Vertex answer not cached: {}", error.toString());
				return Mono.empty();
			})
			.then();
	}

	long hitCredits() {
		return settings.hitCredits();
	}
}
