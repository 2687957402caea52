package dev.kiln.generations;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class VideoOrderTests {

	static final GenerationSettings.Workflow WORKFLOW = new GenerationSettings.Workflow("text-to-video",
			"workflows/text-to-video.json", 5, 180,
			Map.of("480p", new GenerationSettings.Resolution(854, 480, 1), "720p", new GenerationSettings.Resolution(1280, 720, 2)),
			List.of(24, 16), 10);

	@Test
	void defaultsAreFilledInSoEqualRequestsAreEqualOrders() {
		VideoOrder order = VideoOrder.of(request(30, null, null, null), List.of(WORKFLOW));

		assertThat(order).isEqualTo(new VideoOrder("text-to-video", "a fox", 30, "480p", 24, "a fox".hashCode() & 0x7fffffffL));
		assertThat(VideoOrder.of(request(30, "480p", 24, null), List.of(WORKFLOW))).isEqualTo(order);
	}

	@Test
	void thePriceIsPerMinuteTimesTheResolutionRoundedUp() {
		assertThat(VideoOrder.of(request(30, "480p", 24, 7L), List.of(WORKFLOW)).price(WORKFLOW)).isEqualTo(5);
		assertThat(VideoOrder.of(request(180, "720p", 24, 7L), List.of(WORKFLOW)).price(WORKFLOW)).isEqualTo(60);
		assertThat(VideoOrder.of(request(7, "480p", 16, 7L), List.of(WORKFLOW)).price(WORKFLOW)).as("7 s of 10/min").isEqualTo(2);
	}

	@Test
	void everyWrongParameterIsNamedWithItsReason() {
		ErrorResponseException error = catchThrowableOfType(ErrorResponseException.class,
				() -> VideoOrder.of(request(181, "4k", 60, -1L), List.of(WORKFLOW)));

		ProblemDetail problem = error.getBody();
		assertThat(problem.getStatus()).isEqualTo(400);
		assertThat(problem.getDetail()).contains("'parameters.duration_seconds' must be a whole number of seconds from 5 to 180",
				"'parameters.resolution' must be one of [480p, 720p]", "'parameters.fps' must be one of [24, 16]",
				"'parameters.seed' must be from 0");
	}

	@Test
	void anUnknownWorkflowIsNamed() {
		GenerationRequest request = new GenerationRequest("video", "nope", "a fox", null, null, null, null, null, null);

		ErrorResponseException error = catchThrowableOfType(ErrorResponseException.class,
				() -> VideoOrder.of(request, List.of(WORKFLOW)));
		assertThat(error.getBody().getDetail()).contains("'workflow' must be one of [text-to-video]");
	}

	private static GenerationRequest request(Integer seconds, String resolution, Integer fps, Long seed) {
		return new GenerationRequest("video", "text-to-video", "a fox",
				new GenerationRequest.Parameters(seconds, resolution, fps, seed), null, null, null, null, null);
	}
}
