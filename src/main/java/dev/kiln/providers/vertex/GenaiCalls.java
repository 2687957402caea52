package dev.kiln.providers.vertex;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.errors.GenAiIOException;
import com.google.genai.types.ClientOptions;
import com.google.genai.types.Content;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateImagesConfig;
import com.google.genai.types.GenerateImagesResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * google-genai's calls as {@link Mono} and {@link Flux}, one SDK client per location, and its exceptions
 * in Kiln's terms. Unguarded: {@link RouteGuards} adds timeouts, retries, circuits and fallback.
 */
@Component
class GenaiCalls implements DisposableBean {

	private final VertexSettings settings;

	/*
	 * google-genai blocks: OkHttp's synchronous calls, reading a stream, refreshing credentials (even its
	 * "async" API reads streams on the caller's thread). Every call therefore runs on these threads, never
	 * on an event loop; bounded, so a slow Vertex queues calls (then rejects them) instead of growing
	 * threads without limit.
	 */
	private final Scheduler blocking;

	private final Map<String, Client> clients = new ConcurrentHashMap<>();

	private final RetryHints retryHints;

	/** Shared by every location's SDK client (one connection pool), with {@link RetryHints} installed. */
	private final OkHttpClient http;

	GenaiCalls(VertexSettings settings, Clock clock) {
		this.settings = settings;
		this.blocking = Schedulers.newBoundedElastic(settings.blockingThreads(), settings.blockingQueue(), "vertex");
		this.retryHints = new RetryHints(clock);
		// What the SDK builds when given no client (no connect, read or write timeouts; the whole call
		// bounded), plus the interceptor; the SDK adds its own retry interceptor after ours. Given a client,
		// the SDK ignores ClientOptions' connection limits and proxy: set them here if ever needed. One pool
		// for every location, with room for a connection per blocking thread.
		this.http = new OkHttpClient.Builder().connectTimeout(Duration.ZERO)
			.readTimeout(Duration.ZERO)
			.writeTimeout(Duration.ZERO)
			.callTimeout(settings.timeout())
			.connectionPool(new ConnectionPool(settings.blockingThreads(), 5, TimeUnit.MINUTES))
			.addInterceptor(retryHints)
			.build();
	}

	Mono<GenerateContentResponse> generate(Route route, List<Content> contents, GenerateContentConfig config) {
		return blocking(() -> client(route).models.generateContent(route.model(), contents, config));
	}

	/**
	 * Imagen's {@code :predict}. The SDK marks {@code generateImages} deprecated in favour of Gemini's image
	 * models (removal announced for no earlier than 2027); it is still its only way to call Imagen.
	 */
	@SuppressWarnings("deprecation")
	Mono<GenerateImagesResponse> generateImages(Route route, String prompt, GenerateImagesConfig config) {
		// as blocking as generateContent: the same bounded threads, one limit of threads parked on Vertex
		return blocking(() -> client(route).models.generateImages(route.model(), prompt, config));
	}

	/*
	 * One blocking SDK call on the bounded threads. What follows it runs off them (publishOn): cancelling
	 * a call from another thread interrupts its thread, and the flag must not reach the next request's
	 * bulkhead (a flagged thread cannot take a semaphore permit, which Resilience4j reports as "bulkhead
	 * full"); it also keeps the pool's threads for blocking calls.
	 */
	private <T> Mono<T> blocking(Callable<T> call) {
		return Mono.fromCallable(() -> retryHints.call(call)).subscribeOn(blocking).onErrorMap(GenaiCalls::classify).publishOn(Schedulers.parallel());
	}

	/**
	 * The stream's chunks, read on the blocking threads; cancelling closes the stream (which also ends a
	 * read in progress). The SDK reads one chunk ahead, so a cut loses the chunk before it too.
	 */
	Flux<GenerateContentResponse> stream(Route route, List<Content> contents, GenerateContentConfig config) {
		GenerateContentConfig whole = config.toBuilder()
			.httpOptions(HttpOptions.builder().timeout(Math.toIntExact(settings.streamTimeout().toMillis())))
			.build();
		return Flux.using(() -> retryHints.call(() -> client(route).models.generateContentStream(route.model(), contents, whole)),
				Flux::fromIterable, this::close)
			.subscribeOn(blocking)
			.onErrorMap(GenaiCalls::classify)
			.publishOn(Schedulers.parallel(), 1); // as in blocking(): continue off the SDK's threads
	}

	private void close(ResponseStream<GenerateContentResponse> stream) {
		// closing may block on the socket, and cancellation can come from any thread
		try {
			blocking.schedule(stream::close);
		}
		catch (RejectedExecutionException shuttingDown) {
			stream.close();
		}
	}

	private Client client(Route route) {
		return clients.computeIfAbsent(route.location(), this::connect);
	}

	private Client connect(String location) {
		HttpOptions.Builder http = HttpOptions.builder()
			.timeout(Math.toIntExact(settings.timeout().toMillis()))
			// Kiln retries without holding a thread (RouteGuards); the SDK's own retries Thread.sleep
			.retryOptions(HttpRetryOptions.builder().attempts(1).httpStatusCodes(List.of()).build());
		if (settings.baseUrl() != null) {
			http.baseUrl(settings.baseUrl().toString());
		}
		Client.Builder client = Client.builder()
			.vertexAI(true)
			.project(settings.project())
			.location(location)
			.clientOptions(ClientOptions.builder().customHttpClient(this.http).build())
			.httpOptions(http.build());
		if (settings.accessToken() != null && !settings.accessToken().isBlank()) {
			// a fixed token with no expiry: never refreshed, so nothing calls Google's token endpoint
			client.credentials(GoogleCredentials.create(new AccessToken(settings.accessToken(), null)));
		}
		return client.build();
	}

	/**
	 * The SDK's exception as Kiln's: 400 is the request's fault; 429, 500, 503, I/O errors and timeouts
	 * may pass; anything else (401, 403, 404, other 5xx) is this route's fault, not worth repeating.
	 * Messages are built from codes only: no header, credential or body text beyond Google's own message.
	 */
	static Throwable classify(Throwable error) {
		if (error instanceof ApiException api) {
			return classify(api, null);
		}
		if (error instanceof GenAiIOException || error instanceof IOException || error instanceof TimeoutException) {
			return new RouteFailure("did not answer: " + error.getClass().getSimpleName(), true, error);
		}
		return error;
	}

	/** As {@link #classify(Throwable)}, with the wait Vertex's answer asked for ({@link RetryHints}). */
	static RuntimeException classify(ApiException api, @Nullable Duration retryAfter) {
		if (api.code() == 400) {
			return new PromptRejected(api.message());
		}
		boolean retryable = api.code() == 429 || api.code() == 500 || api.code() == 503;
		String hint = retryAfter == null ? "" : ", retry after " + retryAfter.toMillis() + " ms";
		return new RouteFailure("answered " + api.code() + " " + api.status() + hint, retryable, retryAfter, api);
	}

	@Override
	public void destroy() {
		clients.values().forEach(Client::close);
		blocking.dispose();
	}
}
