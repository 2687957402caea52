package dev.kiln.providers.vertex;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

import com.google.genai.errors.ApiException;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * When Vertex says to come back: {@code Retry-After} (seconds or an HTTP date) on a 429 or 503, else the
 * {@code google.rpc.RetryInfo} detail of Google's error body ({@code "retryDelay": "23s"}).
 * google-genai's exceptions carry neither, so this OkHttp interceptor, installed in the SDK's client,
 * notes the hint on the calling thread (a synchronous OkHttp call runs its interceptors there), and
 * {@link #call} attaches it to the failure the SDK then throws on that same thread.
 */
final class RetryHints implements Interceptor {

	/** Google's error bodies are a few hundred bytes; never buffer more than this to look for a hint. */
	private static final long BODY_PEEK_BYTES = 16 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ThreadLocal<@Nullable Duration> lastHint = new ThreadLocal<>();

	private final Clock clock;

	RetryHints(Clock clock) {
		this.clock = clock;
	}

	@Override
	public Response intercept(Chain chain) throws IOException {
		Response response = chain.proceed(chain.request());
		if (response.code() == 429 || response.code() == 503) {
			Duration hint = parse(response.header("Retry-After"), () -> response.peekBody(BODY_PEEK_BYTES).string(),
					clock.instant());
			lastHint.set(hint);
		}
		return response;
	}

	/**
	 * Runs one blocking SDK call on this thread; an {@link ApiException} it throws leaves as Kiln's failure
	 * ({@link GenaiCalls#classify}) carrying the hint of the response that caused it.
	 */
	<T> T call(Callable<T> call) throws Exception {
		lastHint.remove();
		try {
			return call.call();
		}
		catch (ApiException failed) {
			throw GenaiCalls.classify(failed, lastHint.get());
		}
		finally {
			lastHint.remove();
		}
	}

	/** The wait a response asks for: its {@code Retry-After} header, else its body's RetryInfo; null if neither. */
	static @Nullable Duration parse(@Nullable String retryAfter, BodySource body, Instant now) {
		Duration fromHeader = fromHeader(retryAfter, now);
		if (fromHeader != null) {
			return fromHeader;
		}
		try {
			return fromBody(body.read());
		}
		catch (IOException unreadable) {
			return null;
		}
	}

	/** RFC 9110 §10.2.3: delay-seconds or an HTTP date (a date already past means now). */
	static @Nullable Duration fromHeader(@Nullable String value, Instant now) {
		if (value == null || value.isBlank()) {
			return null;
		}
		String trimmed = value.trim();
		if (trimmed.chars().allMatch(Character::isDigit)) {
			return trimmed.length() > 9 ? null : Duration.ofSeconds(Long.parseLong(trimmed));
		}
		try {
			Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
			return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
		}
		catch (DateTimeParseException notADate) {
			return null;
		}
	}

	/** {@code error.details[]} entry of type {@code google.rpc.RetryInfo}: protobuf JSON {@code "1.5s"}. */
	static @Nullable Duration fromBody(@Nullable String body) {
		if (body == null || body.isBlank()) {
			return null;
		}
		try {
			for (JsonNode detail : JSON.readTree(body).path("error").path("details")) {
				if (detail.path("@type").asString("").endsWith("/google.rpc.RetryInfo")) {
					return protobufDuration(detail.path("retryDelay").asString(""));
				}
			}
			return null;
		}
		catch (JacksonException notJson) {
			return null;
		}
	}

	private static @Nullable Duration protobufDuration(String value) {
		if (!value.endsWith("s")) {
			return null;
		}
		try {
			BigDecimal seconds = new BigDecimal(value.substring(0, value.length() - 1));
			if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(999_999_999)) > 0) {
				return null;
			}
			return Duration.ofNanos(seconds.movePointRight(9).longValue());
		}
		catch (NumberFormatException notANumber) {
			return null;
		}
	}

	/** The response body, read only when the header gave no hint. */
	@FunctionalInterface
	interface BodySource {

		String read() throws IOException;
	}
}
