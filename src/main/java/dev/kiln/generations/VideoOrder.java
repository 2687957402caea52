package dev.kiln.generations;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.platform.web.Problems;

import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * A video request checked against its workflow: every value is one the workflow takes, defaults filled
 * in, so equal orders are equal records (and hash alike for Idempotency-Key checks).
 */
record VideoOrder(String workflow, String prompt, int durationSeconds, String resolution, int fps, long seed) {

	static final long MAX_SEED = (1L << 53) - 1;

	/** Checks the request against the workflows; a 400 names every field that is wrong and why. */
	static VideoOrder of(GenerationRequest request, List<GenerationSettings.Workflow> workflows) {
		List<Problems.FieldProblem> problems = new ArrayList<>();
		GenerationSettings.Workflow workflow = workflows.stream()
			.filter(candidate -> candidate.name().equals(request.workflow()))
			.findFirst()
			.orElse(null);
		if (workflow == null) {
			problems.add(Problems.FieldProblem.of("workflow", "must be one of "
					+ workflows.stream().map(GenerationSettings.Workflow::name).toList()));
			throw invalid(problems);
		}
		GenerationRequest.Parameters parameters = request.parameters() == null
				? new GenerationRequest.Parameters(null, null, null, null) : request.parameters();
		Integer duration = parameters.durationSeconds();
		if (duration == null || duration < workflow.minSeconds() || duration > workflow.maxSeconds()) {
			problems.add(Problems.FieldProblem.of("parameters.duration_seconds",
					"must be a whole number of seconds from " + workflow.minSeconds() + " to " + workflow.maxSeconds()));
		}
		String resolution = parameters.resolution() == null ? workflow.resolutions().keySet().stream().sorted().findFirst().orElseThrow()
				: parameters.resolution();
		if (!workflow.resolutions().containsKey(resolution)) {
			problems.add(Problems.FieldProblem.of("parameters.resolution",
					"must be one of " + workflow.resolutions().keySet().stream().sorted().toList()));
		}
		int fps = parameters.fps() == null ? workflow.fps().getFirst() : parameters.fps();
		if (!workflow.fps().contains(fps)) {
			problems.add(Problems.FieldProblem.of("parameters.fps", "must be one of " + workflow.fps()));
		}
		Long seed = parameters.seed();
		if (seed != null && (seed < 0 || seed > MAX_SEED)) {
			problems.add(Problems.FieldProblem.of("parameters.seed", "must be from 0 to " + MAX_SEED));
		}
		if (!problems.isEmpty()) {
			throw invalid(problems);
		}
		// no seed asked for: one derived from the prompt, so a retried request renders the same video
		long chosenSeed = seed != null ? seed : (request.prompt().hashCode() & 0x7fffffffL);
		return new VideoOrder(workflow.name(), request.prompt(), duration, resolution, fps, chosenSeed);
	}

	/** Credits the order costs under its workflow's prices. */
	long price(GenerationSettings.Workflow workflow) {
		long perMinute = Math.multiplyExact(workflow.creditsPerMinute(), workflow.resolutions().get(resolution).priceMultiplier());
		return Math.ceilDiv(Math.multiplyExact(perMinute, durationSeconds), 60);
	}

	private static ErrorResponseException invalid(List<Problems.FieldProblem> problems) {
		return new ErrorResponseException(HttpStatus.BAD_REQUEST,
				Problems.invalid(HttpStatus.BAD_REQUEST, "validation_failed", problems), null);
	}
}
