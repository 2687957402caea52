package dev.kiln.providers.vertex;

import java.util.List;

import com.google.genai.types.Blob;
import com.google.genai.types.Content;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateImagesConfig;
import com.google.genai.types.GenerateImagesResponse;
import com.google.genai.types.Image;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Gemini on Vertex AI, priced in credits: what generations call for synchronous and streamed text and
 * for images, drawn by a Gemini image model or, on routes so configured, by Imagen.
 *
 * <h2>Routes and fallback</h2> Each kind has an ordered chain of routes, a model in a location
 * ({@code kiln.vertex.routes.text}, {@code .image}); the first is the primary. Each route has its own
 * timeout, retry (429, 500, 503, I/O and timeouts, exponential backoff with jitter), circuit breaker and
 * bulkhead. A route that still fails, or whose circuit is open or bulkhead full, hands the request to the
 * next; when none is left the answer is {@link VertexUnavailable}. {@link PromptRejected} (400) and
 * {@link SafetyBlocked} are the request's fault and never fall back. A stream may change route only
 * before its first delta; a failure after it is {@link StreamBroken}, never a silent, shorter success.
 * Imagen and Gemini image routes share one chain, so either can stand in for the other.
 *
 * <h2>Cache</h2> Text requests at temperature 0 are deterministic: their answers are kept in Redis
 * ({@code kiln.vertex.cache}, 24 hours by default) under a SHA-256 of the request, and a repeat is
 * answered from there with {@code cacheHit = true}, {@code kiln.vertex.cache.hit-credits} credits and
 * no provider cost. Redis failing means a miss, never an error. Images are not cached.
 *
 * <h2>Pricing</h2> Every answer carries {@code credits} = ceil((input tokens × input rate + output
 * tokens × output rate) / 1,000) + images × image rate, with the serving model's prices
 * ({@code kiln.vertex.prices}), and {@code providerCost} in micros of {@code kiln.vertex.currency}. An
 * Imagen answer counts no tokens: it costs its model's price per image.
 * {@link #maxCredits(TextRequest)} is the most a request can cost on any route of its chain: hold that
 * much, then post the answer's {@code credits}.
 *
 * <p>Non-blocking: google-genai's blocking calls run on a bounded pool of their own.
 */
@Component
public class Gemini {

	private final GenaiCalls calls;

	private final RouteGuards guards;

	private final AnswerCache cache;

	private final Pricing pricing;

	private final List<Route> textRoutes;

	private final List<Route> imageRoutes;

	private final String currency;

	Gemini(VertexSettings settings, GenaiCalls calls, RouteGuards guards, AnswerCache cache) {
		this.calls = calls;
		this.guards = guards;
		this.cache = cache;
		this.pricing = new Pricing(settings.prices(), settings.maxOutputTokens());
		this.textRoutes = settings.textRoutes();
		this.imageRoutes = settings.imageRoutes();
		this.currency = settings.currency();
		pricing.requirePrices(textRoutes);
		pricing.requirePrices(imageRoutes);
	}

	/** A whole text answer, from the cache when the request is deterministic and was answered before. */
	public Mono<TextAnswer> text(TextRequest request) {
		int maxOutputTokens = pricing.outputTokens(request);
		List<Content> contents = Prompts.contents(request.messages());
		GenerateContentConfig config = Prompts.text(request, maxOutputTokens);
		Mono<TextAnswer> generated = guards.firstAvailable(textRoutes,
				route -> calls.generate(route, contents, config).map(response -> answer(route, response)));
		if (!cache.caches(request)) {
			return generated;
		}
		String key = AnswerCache.key(request, textRoutes.getFirst(), maxOutputTokens);
		return cache.get(key)
			.map(this::hit)
			.switchIfEmpty(generated.flatMap(answer -> cache.put(key, stored(answer)).thenReturn(answer)));
	}

	/**
	 * The answer as it is written: {@link TextChunk.Delta}s, then one {@link TextChunk.Done} with usage,
	 * route and price. A cached answer comes as one delta.
	 */
	public Flux<TextChunk> streamText(TextRequest request) {
		int maxOutputTokens = pricing.outputTokens(request);
		List<Content> contents = Prompts.contents(request.messages());
		GenerateContentConfig config = Prompts.text(request, maxOutputTokens);
		Flux<TextChunk> streamed = guards.firstAvailableStream(textRoutes,
				route -> StreamedAnswer.of(route, calls.stream(route, contents, config), pricing));
		if (!cache.caches(request)) {
			return streamed;
		}
		String key = AnswerCache.key(request, textRoutes.getFirst(), maxOutputTokens);
		return cache.get(key)
			.map(this::hit)
			.<TextChunk>flatMapMany(hit -> Flux.just(new TextChunk.Delta(hit.text()), done(hit)))
			.switchIfEmpty(Flux.defer(() -> {
				StringBuilder text = new StringBuilder();
				return streamed.concatMap(chunk -> switch (chunk) {
					case TextChunk.Delta delta -> Mono.just(chunk).doOnNext(ignored -> text.append(delta.text()));
					case TextChunk.Done done -> cache
						.put(key, new AnswerCache.Stored(text.toString(), done.finishReason(), done.servedBy(),
								done.usage()))
						.thenReturn(chunk);
				});
			}));
	}

	/** An image from the first image route that answers, through Gemini or Imagen as the route says. Never cached. */
	public Mono<ImageAnswer> image(ImageRequest request) {
		List<Content> contents = Prompts.contents(List.of(Message.user(request.prompt())));
		GenerateContentConfig gemini = Prompts.image();
		GenerateImagesConfig imagen = Prompts.imagen();
		return guards.firstAvailable(imageRoutes, route -> switch (route.api()) {
			case GEMINI -> calls.generate(route, contents, gemini).map(response -> image(route, response));
			case IMAGEN -> calls.generateImages(route, request.prompt(), imagen).map(response -> image(route, response));
		});
	}

	/** The currency of every {@code providerCost}, which is in millionths of it. */
	public String costCurrency() {
		return currency;
	}

	/** The most this request can cost, on any route of the text chain: the credits to hold. */
	public long maxCredits(TextRequest request) {
		return pricing.maxCredits(request, textRoutes);
	}

	/** The most this request can cost, on any route of the image chain: the credits to hold. */
	public long maxCredits(ImageRequest request) {
		return pricing.maxCredits(request, imageRoutes);
	}

	private TextAnswer answer(Route route, GenerateContentResponse response) {
		Responses.requireAllowed(response);
		Usage usage = Responses.usage(response, 0);
		Pricing.Charge charge = pricing.charge(route.model(), usage);
		return new TextAnswer(Responses.text(response), Responses.finishReason(response), route, usage, false,
				charge.credits(), charge.providerCost());
	}

	private ImageAnswer image(Route route, GenerateContentResponse response) {
		Responses.requireAllowed(response);
		Blob image = Responses.image(response)
			.orElseThrow(() -> new PromptRejected(route + " answered no image (finish reason "
					+ Responses.finishReason(response) + ")"));
		Usage usage = Responses.usage(response, 1);
		Pricing.Charge charge = pricing.charge(route.model(), usage);
		return new ImageAnswer(image.data().orElseThrow(), image.mimeType().orElse("image/png"), route, usage,
				charge.credits(), charge.providerCost());
	}

	private ImageAnswer image(Route route, GenerateImagesResponse response) {
		Image image = ImagenResponses.image(response);
		Pricing.Charge charge = pricing.charge(route.model(), Pricing.ONE_IMAGE);
		return new ImageAnswer(image.imageBytes().orElseThrow(), image.mimeType().orElse("image/png"), route,
				Pricing.ONE_IMAGE, charge.credits(), charge.providerCost());
	}

	private TextAnswer hit(AnswerCache.Stored stored) {
		return new TextAnswer(stored.text(), stored.finishReason(), stored.servedBy(), stored.usage(), true,
				cache.hitCredits(), 0);
	}

	private static AnswerCache.Stored stored(TextAnswer answer) {
		return new AnswerCache.Stored(answer.text(), answer.finishReason(), answer.servedBy(), answer.usage());
	}

	private static TextChunk.Done done(TextAnswer answer) {
		return new TextChunk.Done(answer.finishReason(), answer.servedBy(), answer.usage(), answer.cacheHit(),
				answer.credits(), answer.providerCost());
	}
}
