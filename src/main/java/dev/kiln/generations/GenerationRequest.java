package dev.kiln.generations;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** The body of {@code POST /v1/generations}. */
record GenerationRequest(@NotNull @Pattern(regexp = "video|image|text", message = "must be video, image or text") String kind,
		@Nullable String workflow, @NotBlank @Size(max = 4000) String prompt, @Valid @Nullable Parameters parameters) {

	/** Video parameters; each workflow says which values it takes. */
	record Parameters(@Nullable Integer durationSeconds, @Nullable String resolution, @Nullable Integer fps,
			@Nullable Long seed) {
	}
}
