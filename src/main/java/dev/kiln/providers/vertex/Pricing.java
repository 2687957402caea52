package dev.kiln.providers.vertex;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.kiln.providers.vertex.VertexSettings.Price;

/**
 * Credits and provider cost of an answer, and the worst case held before a call. Integers only:
 * <pre>
 * credits      = ceil((in × inputCreditsPer1k + out × outputCreditsPer1k) / 1,000) + images × creditsPerImage
 * providerCost = ceil((in × inputCostPerMillion + out × outputCostPerMillion) / 1,000,000) + images × costPerImage
 * </pre>
 * Overflow fails loudly ({@link ArithmeticException}) instead of wrapping. Imagen bills per image and
 * counts no tokens, so its answers are {@link #ONE_IMAGE}.
 */
final class Pricing {

	/** What an Imagen answer uses: one image, no tokens. */
	static final Usage ONE_IMAGE = new Usage(0, 0, 1);

	/** What an answer costs: credits for the user, micros of the operator's currency for Vertex. */
	record Charge(long credits, long providerCost) {
	}

	private final Map<String, Price> prices;

	private final int maxOutputTokens;

	Pricing(Collection<Price> prices, int maxOutputTokens) {
		this.prices = prices.stream().collect(Collectors.toUnmodifiableMap(Price::model, Function.identity()));
		this.maxOutputTokens = maxOutputTokens;
	}

	/**
	 * Fails, naming the model, when a route's model has no price, or an Imagen route's no price per image:
	 * nothing is served unpriced.
	 */
	void requirePrices(List<Route> chain) {
		for (Route route : chain) {
			Price price = price(route.model());
			if (route.api() == Route.Api.IMAGEN && price.creditsPerImage() == 0) {
				throw new IllegalStateException("Imagen model " + route.model()
						+ " is billed per image: give it credits-per-image in kiln.vertex.prices");
			}
		}
	}

	Charge charge(String model, Usage usage) {
		Price price = price(model);
		return new Charge(credits(price, usage), providerCost(price, usage));
	}

	static long credits(Price price, Usage usage) {
		long perThousand = Math.addExact(Math.multiplyExact(usage.inputTokens(), price.inputCreditsPer1k()),
				Math.multiplyExact(usage.outputTokens(), price.outputCreditsPer1k()));
		return Math.addExact(Math.ceilDiv(perThousand, 1_000L),
				Math.multiplyExact((long) usage.images(), price.creditsPerImage()));
	}

	static long providerCost(Price price, Usage usage) {
		long perMillion = Math.addExact(Math.multiplyExact(usage.inputTokens(), price.inputCostPerMillion()),
				Math.multiplyExact(usage.outputTokens(), price.outputCostPerMillion()));
		return Math.addExact(Math.ceilDiv(perMillion, 1_000_000L),
				Math.multiplyExact((long) usage.images(), price.costPerImage()));
	}

	/** The output tokens a request may produce: its own limit within the configured cap. */
	int outputTokens(TextRequest request) {
		Integer asked = request.maxOutputTokens();
		return asked == null ? maxOutputTokens : Math.min(asked, maxOutputTokens);
	}

	/**
	 * The most a text request can cost on any route of the chain (a fallback may be dearer): input
	 * estimated as characters / 4 rounded up, plus every output token allowed.
	 */
	long maxCredits(TextRequest request, List<Route> chain) {
		long characters = request.messages().stream().mapToLong(message -> characters(message.text())).sum()
				+ (request.systemInstruction() == null ? 0 : characters(request.systemInstruction()));
		return worst(chain, new Usage(estimateTokens(characters), outputTokens(request), 0));
	}

	/**
	 * The most an image request can cost on any route of the chain: on a Gemini route the estimated
	 * input, the output cap and one image; on an Imagen route one image.
	 */
	long maxCredits(ImageRequest request, List<Route> chain) {
		Usage gemini = new Usage(estimateTokens(characters(request.prompt())), maxOutputTokens, 1);
		return chain.stream()
			.mapToLong(route -> credits(price(route.model()), route.api() == Route.Api.IMAGEN ? ONE_IMAGE : gemini))
			.max()
			.orElseThrow();
	}

	/** Characters / 4, rounded up: a rough token count that overestimates for most English text. */
	static long estimateTokens(long characters) {
		return Math.ceilDiv(characters, 4L);
	}

	private long worst(List<Route> chain, Usage usage) {
		return chain.stream().mapToLong(route -> credits(price(route.model()), usage)).max().orElseThrow();
	}

	private static long characters(String text) {
		return text.codePointCount(0, text.length());
	}

	private Price price(String model) {
		Price price = prices.get(model);
		if (price == null) {
			throw new IllegalStateException("No price for Vertex model " + model + ": add it to kiln.vertex.prices");
		}
		return price;
	}
}
