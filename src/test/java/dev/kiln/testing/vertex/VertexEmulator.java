package dev.kiln.testing.vertex;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.kiln.testing.LoopbackHttpServer;

/**
 * Vertex AI's Gemini {@code generateContent} and Imagen {@code predict} APIs on 127.0.0.1, for the real
 * {@code google-genai} client:
 * build it with {@code Client.builder().vertexAI(true).project(..).location(..).credentials(credentials())
 * .httpOptions(HttpOptions.builder().baseUrl(baseUrl()).build())}. Nothing reaches Google: the
 * credentials hold a fixed access token and never refresh.
 *
 * <h2>Faithful</h2> The paths the SDK calls, {@code POST /v1beta1/projects/{project}/locations/{location}
 * /publishers/google/models/{model}:generateContent} and {@code :streamGenerateContent?alt=sse} (also under
 * {@code /v1}, and as a JSON array without {@code alt=sse}); {@code Authorization: Bearer} checked on
 * every call; the response shape: {@code candidates[].content.parts[]} ({@code text}, or {@code inlineData}
 * {@code {mimeType, data}} in base64), {@code finishReason} ({@code STOP}, {@code MAX_TOKENS} past
 * {@code generationConfig.maxOutputTokens}, {@code SAFETY}), {@code safetyRatings}, {@code usageMetadata},
 * {@code modelVersion}, {@code createTime}, {@code responseId}; a stream as {@code data: {json}\r\n\r\n}
 * events with finish reason and usage on the last one only; an unsafe prompt as {@code 200} with
 * {@code promptFeedback.blockReason = SAFETY} and no candidates; errors as Google's
 * {@code {"error": {"code", "message", "status"}}} ({@code RESOURCE_EXHAUSTED}, {@code UNAVAILABLE}…).
 * Imagen's {@code :predict} ({@code models.generateImages}): {@code instances[0].prompt} and
 * {@code parameters.sampleCount} in, {@code predictions[]} of {@code {bytesBase64Encoded, mimeType}} out;
 * a filtered image as {@code {"raiFilteredReason"}} (only with {@code includeRaiReason}; otherwise
 * {@code {}}); a blocked prompt as 400 {@code INVALID_ARGUMENT} with Vertex's text; a Gemini model as
 * 400 {@code FAILED_PRECONDITION}.
 *
 * <h2>Simplified</h2> Any project, location and model name is served; a model whose name contains
 * {@code image} answers one 16×16 PNG, any other echoes the user's text ({@link #replyText}); {@code :predict}
 * draws {@code sampleCount} 16×16 pictures for any model not named {@code gemini…}; tokens are
 * words, 258 per input image and 1290 per output image ({@link #tokens}); tools, function calls, thinking,
 * candidate counts, system-instruction effects, caching and countTokens are not emulated; a blocked
 * answer has no partial text.
 * <p>
 * Thread-safe: switches may be flipped while requests are in flight; the server runs on its own
 * (virtual) threads, where slow answers sleep.
 */
public final class VertexEmulator implements AutoCloseable {

	/** The output tokens an image model reports per image (Gemini's figure for an image up to 1024²). */
	public static final int IMAGE_OUTPUT_TOKENS = Tokens.IMAGE_OUTPUT;

	/** The prompt tokens counted per inline image in a request. */
	public static final int IMAGE_INPUT_TOKENS = Tokens.IMAGE_INPUT;

	/** Words per stream chunk of a text answer. */
	public static final int WORDS_PER_CHUNK = Replies.WORDS_PER_CHUNK;

	private final String accessToken = Headers.accessToken();

	private final Faults faults = new Faults();

	private final List<VertexRequest> requests = new CopyOnWriteArrayList<>();

	private final String baseUrl;

	private final VertexHttpServer server;

	private VertexEmulator(Clock clock) {
		var http = LoopbackHttpServer.bind();
		int port = http.getAddress().getPort();
		this.baseUrl = "http://127.0.0.1:" + port;
		this.server = new VertexHttpServer(http, Executors.newThreadPerTaskExecutor(
				Thread.ofVirtual().name("vertex-emulator-" + port + "-http-", 0).factory()), accessToken, faults,
				clock, requests::add);
	}

	/** What a text model answers: {@code "Echo from <model>: <user text, single-spaced>"}. */
	public static String replyText(String model, String prompt) {
		return Replies.text(model, prompt);
	}

	/** The emulator's token count of a text: its whitespace-separated words. */
	public static int tokens(String text) {
		return Tokens.of(text);
	}

	/** Starts on a free port of 127.0.0.1 with the system clock. */
	public static VertexEmulator start() {
		return start(Clock.systemUTC());
	}

	/** Starts on a free port of 127.0.0.1; {@code clock} stamps requests and {@code createTime}. */
	public static VertexEmulator start(Clock clock) {
		return new VertexEmulator(clock);
	}

	/** {@code http://127.0.0.1:<port>}, standing for {@code https://{location}-aiplatform.googleapis.com}. */
	public String baseUrl() {
		return baseUrl;
	}

	/** The OAuth access token every call must present as {@code Authorization: Bearer <token>}. */
	public String accessToken() {
		return accessToken;
	}

	/** Credentials holding {@link #accessToken()} with no expiry, so the SDK never tries to refresh them. */
	public GoogleCredentials credentials() {
		return GoogleCredentials.create(new AccessToken(accessToken, null));
	}

	/** The next {@code count} model calls answer {@code httpStatus} (429, 500, 503…). */
	public void failNext(int count, int httpStatus) {
		faults.failNext(count, new Faults.Failure(httpStatus, null));
	}

	/** As {@link #failNext(int, int)}, with {@code Retry-After: <seconds, rounded up>}. */
	public void failNext(int count, int httpStatus, Duration retryAfter) {
		faults.failNext(count, new Faults.Failure(httpStatus, retryAfter));
	}

	/**
	 * As {@link #failNext(int, int, Duration)}, with the wait as a {@code google.rpc.RetryInfo} detail of
	 * the error body (no header), as Google's APIs give it for quota errors.
	 */
	public void failNextWithRetryInfo(int count, int httpStatus, Duration retryDelay) {
		faults.failNext(count, new Faults.Failure(httpStatus, retryDelay, true));
	}

	/** As {@link #failModel(String, int)}, each answer with {@code Retry-After: <seconds, rounded up>}. */
	public void failModel(String model, int httpStatus, Duration retryAfter) {
		faults.failModel(model, new Faults.Failure(httpStatus, retryAfter));
	}

	/** Every call to this model (e.g. {@code gemini-2.5-pro}) answers {@code httpStatus}; 0 heals it. */
	public void failModel(String model, int httpStatus) {
		faults.failModel(model, httpStatus == 0 ? null : new Faults.Failure(httpStatus, null));
	}

	/** Every call in this location (e.g. {@code us-central1}) answers {@code httpStatus}; 0 heals it. */
	public void failLocation(String location, int httpStatus) {
		faults.failLocation(location, httpStatus == 0 ? null : new Faults.Failure(httpStatus, null));
	}

	/** Every call waits this long before it is answered ({@code Duration.ZERO} turns it off). */
	public void slow(Duration delay) {
		faults.slow(delay);
	}

	/** The wait between stream chunks (default none). */
	public void chunkDelay(Duration delay) {
		faults.chunkDelay(delay);
	}

	/**
	 * Every prompt is refused as unsafe: {@code promptFeedback.blockReason = SAFETY} and no candidates from
	 * Gemini, a 400 {@code INVALID_ARGUMENT} from Imagen.
	 */
	public void blockPrompts(boolean block) {
		faults.blockPrompts(block);
	}

	/** Prompts containing this word (any case) are refused as unsafe; null turns it off. */
	public void blockPromptsContaining(String word) {
		faults.blockWord(word);
	}

	/**
	 * Answers are withheld as unsafe: one candidate with {@code finishReason = SAFETY} and no content from
	 * Gemini; every image filtered out by Imagen ({@code raiFilteredReason}).
	 */
	public void blockAnswers(boolean block) {
		faults.blockAnswers(block);
	}

	/**
	 * Streams send at most {@code chunks} events, never the last (the one with {@code finishReason} and
	 * usage), then the connection drops without HTTP's closing chunk; -1 turns it off.
	 */
	public void cutStreamAfter(int chunks) {
		faults.cutStreamAfter(chunks);
	}

	/** Turns every fault switch off, delays included. */
	public void resetFaults() {
		faults.reset();
	}

	/** Every call that reached a model's path, in arrival order, whatever was answered. */
	public List<VertexRequest> requests() {
		return List.copyOf(requests);
	}

	/** Forgets the calls recorded so far. */
	public void clearRequests() {
		requests.clear();
	}

	@Override
	public void close() {
		server.close();
	}
}
