package dev.kiln.providers.vertex;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTests {

	/** Answers cached before routes named their API must still read back as hits, not as misses. */
	@Test
	void aRouteWrittenBeforeImagenReadsAsGemini() {
		Route route = JsonMapper.builder().build()
			.readValue("{\"model\":\"gemini-2.5-flash\",\"location\":\"europe-west4\"}", Route.class);

		assertThat(route).isEqualTo(new Route("gemini-2.5-flash", "europe-west4", Route.Api.GEMINI));
	}
}
