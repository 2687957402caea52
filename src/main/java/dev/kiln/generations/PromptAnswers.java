package dev.kiln.generations;

import dev.kiln.providers.vertex.Gemini;
import dev.kiln.providers.vertex.ImageAnswer;
import dev.kiln.providers.vertex.ImageRequest;
import dev.kiln.providers.vertex.TextAnswer;
import dev.kiln.providers.vertex.TextChunk;
import dev.kiln.providers.vertex.TextRequest;
import dev.kiln.providers.vertex.Usage;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/** Gemini, and what a job records of its answers: the route, the provider's cost and the answer itself. */
@Component
class PromptAnswers {

	private final Gemini gemini;

	private final JsonMapper json;

	PromptAnswers(Gemini gemini, JsonMapper json) {
		this.gemini = gemini;
		this.json = json;
	}

	long maxCredits(TextRequest request) {
		return gemini.maxCredits(request);
	}

	long maxCredits(ImageRequest request) {
		return gemini.maxCredits(request);
	}

	Mono<TextAnswer> text(TextRequest request) {
		return gemini.text(request);
	}

	Flux<TextChunk> streamText(TextRequest request) {
		return gemini.streamText(request);
	}

	Mono<ImageAnswer> image(ImageRequest request) {
		return gemini.image(request);
	}

	Jobs.Answered answered(TextAnswer answer) {
		return answered(answer.servedBy().toString(), answer.providerCost(),
				new Recorded(answer.text(), answer.finishReason(), answer.usage(), answer.cacheHit()));
	}

	Jobs.Answered answered(String text, TextChunk.Done done) {
		return answered(done.servedBy().toString(), done.providerCost(),
				new Recorded(text, done.finishReason(), done.usage(), done.cacheHit()));
	}

	Jobs.Answered answered(ImageAnswer answer) {
		return answered(answer.servedBy().toString(), answer.providerCost(),
				new Recorded(null, "STOP", answer.usage(), false));
	}

	private Jobs.Answered answered(String servedBy, long providerCost, Recorded recorded) {
		return new Jobs.Answered(servedBy, providerCost, gemini.costCurrency(), json.writeValueAsString(recorded));
	}

	/** The {@code answer} column: what the owner sees of a text or image answer. */
	record Recorded(@Nullable String text, String finishReason, Usage usage, boolean cacheHit) {
	}
}
