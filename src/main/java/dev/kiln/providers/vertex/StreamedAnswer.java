package dev.kiln.providers.vertex;

import java.util.concurrent.atomic.AtomicReference;

import com.google.genai.types.GenerateContentResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** One route's stream as Kiln's chunks: a delta per chunk with text, then the priced end. */
final class StreamedAnswer {

	private StreamedAnswer() {
	}

	static Flux<TextChunk> of(Route route, Flux<GenerateContentResponse> responses, Pricing pricing) {
		return Flux.defer(() -> {
			AtomicReference<GenerateContentResponse> last = new AtomicReference<>();
			Flux<TextChunk> deltas = responses.map(Responses::requireAllowed)
				.doOnNext(last::set)
				.map(Responses::text)
				.filter(text -> !text.isEmpty())
				.map(TextChunk.Delta::new);
			return deltas.concatWith(Mono.fromSupplier(() -> done(route, last.get(), pricing)));
		});
	}

	private static TextChunk done(Route route, GenerateContentResponse last, Pricing pricing) {
		if (last == null || Responses.finishReason(last).isEmpty()) {
			// a stream that ends without a finish reason was cut, even if the connection closed cleanly
			throw new RouteFailure("ended its stream without finishing", true, null);
		}
		Usage usage = Responses.usage(last, 0);
		Pricing.Charge charge = pricing.charge(route.model(), usage);
		return new TextChunk.Done(Responses.finishReason(last), route, usage, false, charge.credits(),
				charge.providerCost());
	}
}
