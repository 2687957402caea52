package dev.kiln.providers.vertex;

import java.util.List;

import dev.kiln.providers.vertex.VertexSettings.Price;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PricingTests {

	private static final Price FLASH = new Price("flash", 1, 4, 0, 280_000, 2_300_000, 0);

	private static final Price PRO = new Price("pro", 2, 12, 0, 1_150_000, 9_200_000, 0);

	private static final Price IMAGE = new Price("image", 1, 0, 5, 280_000, 0, 35_600);

	private static final Price IMAGEN = new Price("imagen", 0, 0, 3, 0, 0, 18_400);

	private static final Route GEMINI_IMAGE = new Route("image", "global");

	private static final Route IMAGEN_ROUTE = new Route("imagen", "us-central1", Route.Api.IMAGEN);

	private static final List<Route> TEXT = List.of(new Route("flash", "europe-west4"), new Route("pro", "us-central1"));

	private final Pricing pricing = new Pricing(List.of(FLASH, PRO, IMAGE, IMAGEN), 1000);

	@Test
	void creditsAreTokensPerThousandRoundedUpOnceThenImages() {
		assertThat(Pricing.credits(FLASH, new Usage(0, 0, 0))).isZero();
		assertThat(Pricing.credits(FLASH, new Usage(1, 0, 0))).as("any use costs a credit").isEqualTo(1);
		assertThat(Pricing.credits(FLASH, new Usage(1000, 0, 0))).isEqualTo(1);
		assertThat(Pricing.credits(FLASH, new Usage(1001, 0, 0))).isEqualTo(2);
		// 0.5 + 1.0 = 1.5 → 2: the rounding is over the sum, not per term (which would give 1 + 1 = 2 too,
		// but 0.5 + 0.5 gives 1, not 2)
		assertThat(Pricing.credits(FLASH, new Usage(500, 250, 0))).isEqualTo(2);
		assertThat(Pricing.credits(FLASH, new Usage(500, 125, 0))).isEqualTo(1);
		assertThat(Pricing.credits(IMAGE, new Usage(3, 1290, 1))).isEqualTo(1 + 5);
	}

	@Test
	void providerCostIsMicrosPerMillionTokensRoundedUpPlusImages() {
		assertThat(Pricing.providerCost(FLASH, new Usage(1_000_000, 0, 0))).isEqualTo(280_000);
		assertThat(Pricing.providerCost(FLASH, new Usage(12, 15, 0))).as("12×0.28 + 15×2.3 = 37.86 → 38")
			.isEqualTo(38);
		assertThat(Pricing.providerCost(IMAGE, new Usage(3, 1290, 1))).isEqualTo(1 + 35_600);
		assertThat(pricing.charge("pro", new Usage(1000, 1000, 0))).isEqualTo(new Pricing.Charge(14, 10_350));
	}

	@Test
	void theHoldIsTheDearestRouteWithInputAsCharactersOverFourAndEveryOutputToken() {
		TextRequest request = new TextRequest(List.of(Message.user("abcde"), Message.model("fgh")), 0, 400, "ij");
		// 10 characters → 3 tokens; 400 output tokens; pro: ceil((3×2 + 400×12) / 1000) = 5; flash: 2
		assertThat(pricing.maxCredits(request, TEXT)).isEqualTo(5);
		assertThat(pricing.maxCredits(request, TEXT.subList(0, 1))).isEqualTo(2);
		assertThat(pricing.outputTokens(TextRequest.of("x", 1))).as("no limit asked: the cap").isEqualTo(1000);
		assertThat(pricing.outputTokens(new TextRequest(List.of(Message.user("x")), 1, 5000, null)))
			.as("never above the cap")
			.isEqualTo(1000);
		assertThat(pricing.maxCredits(new ImageRequest("a red kiln"), List.of(new Route("image", "global"))))
			.as("ceil(3 / 1000) + one image")
			.isEqualTo(1 + 5);
	}

	@Test
	void imagenIsPricedPerImageAndAMixedChainHoldsItsDearestRoute() {
		ImageRequest request = new ImageRequest("a red kiln");

		assertThat(pricing.charge("imagen", Pricing.ONE_IMAGE)).isEqualTo(new Pricing.Charge(3, 18_400));
		assertThat(pricing.maxCredits(request, List.of(IMAGEN_ROUTE))).as("one image, no tokens").isEqualTo(3);
		assertThat(pricing.maxCredits(request, List.of(IMAGEN_ROUTE, GEMINI_IMAGE)))
			.as("Gemini's worst case, ceil(3 / 1000) + 5, whatever the order")
			.isEqualTo(6)
			.isEqualTo(pricing.maxCredits(request, List.of(GEMINI_IMAGE, IMAGEN_ROUTE)));
		Pricing dearImagen = new Pricing(List.of(IMAGE, new Price("ultra", 1000, 1000, 9, 1, 1, 55_200)), 1000);
		assertThat(dearImagen.maxCredits(request, List.of(GEMINI_IMAGE, new Route("ultra", "global", Route.Api.IMAGEN))))
			.as("Imagen bills no tokens, so its token prices never reach the hold")
			.isEqualTo(9);
	}

	@Test
	void anImagenRouteWithoutAPricePerImageIsRefused() {
		Pricing free = new Pricing(List.of(new Price("imagen-free", 1, 1, 0, 0, 0, 0)), 1000);

		assertThatThrownBy(() -> free.requirePrices(List.of(new Route("imagen-free", "global", Route.Api.IMAGEN))))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("imagen-free is billed per image");
		pricing.requirePrices(List.of(IMAGEN_ROUTE, GEMINI_IMAGE));
	}

	@Test
	void anUnpricedModelIsRefusedByName() {
		assertThatThrownBy(() -> pricing.requirePrices(List.of(new Route("gemini-9", "global"))))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("gemini-9");
		assertThatThrownBy(() -> Pricing.credits(PRO, new Usage(0, Long.MAX_VALUE / 10, 0)))
			.isInstanceOf(ArithmeticException.class);
	}

	@Test
	void charactersAreCodePointsAndRoundUp() {
		assertThat(Pricing.estimateTokens(0)).isZero();
		assertThat(Pricing.estimateTokens(1)).isEqualTo(1);
		assertThat(Pricing.estimateTokens(8)).isEqualTo(2);
		TextRequest emoji = TextRequest.of("🔥🔥🔥🔥🔥", 0); // 5 code points, 10 chars
		assertThat(new Pricing(List.of(new Price("m", 1000, 0, 0, 0, 0, 0)), 1).maxCredits(emoji,
				List.of(new Route("m", "global"))))
			.isEqualTo(2 + 0);
	}

	/** What an answer is charged never exceeds the hold, as long as the estimate covered its input. */
	@Property
	void anAnswerWithinTheEstimateNeverCostsMoreThanTheHold(@ForAll @IntRange(min = 1, max = 20_000) int characters,
			@ForAll @IntRange(min = 1, max = 1000) int maxOutput, @ForAll @IntRange(min = 0, max = 100) int inputPercent,
			@ForAll @IntRange(min = 0, max = 100) int outputPercent) {
		TextRequest request = new TextRequest(List.of(Message.user("x".repeat(characters))), 0, maxOutput, null);
		long held = pricing.maxCredits(request, TEXT);
		long input = Pricing.estimateTokens(characters) * inputPercent / 100;
		long output = (long) pricing.outputTokens(request) * outputPercent / 100;
		for (Route route : TEXT) {
			assertThat(pricing.charge(route.model(), new Usage(input, output, 0)).credits()).isLessThanOrEqualTo(held);
		}
	}

	/** Whichever image route answers, a Gemini image within the estimate or Imagen's one image, the hold covers it. */
	@Property
	void anImageAnswerNeverCostsMoreThanTheHold(@ForAll @IntRange(min = 1, max = 20_000) int characters,
			@ForAll @IntRange(min = 0, max = 100) int outputPercent, @ForAll boolean imagenFirst) {
		List<Route> chain = imagenFirst ? List.of(IMAGEN_ROUTE, GEMINI_IMAGE) : List.of(GEMINI_IMAGE, IMAGEN_ROUTE);
		long held = pricing.maxCredits(new ImageRequest("x".repeat(characters)), chain);
		Usage gemini = new Usage(Pricing.estimateTokens(characters), 1000L * outputPercent / 100, 1);
		assertThat(pricing.charge("image", gemini).credits()).isLessThanOrEqualTo(held);
		assertThat(pricing.charge("imagen", Pricing.ONE_IMAGE).credits()).isLessThanOrEqualTo(held);
	}

	/** More tokens never cost less, and credits are never below the exact fraction. */
	@Property
	void creditsAreMonotoneAndNeverUndercharge(@ForAll @LongRange(min = 0, max = 10_000_000) long in,
			@ForAll @LongRange(min = 0, max = 10_000_000) long out, @ForAll @IntRange(min = 0, max = 4) int images) {
		long credits = Pricing.credits(PRO, new Usage(in, out, images));
		assertThat(Pricing.credits(PRO, new Usage(in + 1, out, images))).isGreaterThanOrEqualTo(credits);
		assertThat(Pricing.credits(PRO, new Usage(in, out + 1, images))).isGreaterThanOrEqualTo(credits);
		assertThat(credits * 1000).isGreaterThanOrEqualTo(in * 2 + out * 12);
		assertThat((credits - 1) * 1000).isLessThan(in * 2 + out * 12 + 1);
	}
}
