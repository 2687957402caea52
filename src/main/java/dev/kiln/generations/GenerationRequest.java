package dev.kiln.generations;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /v1/generations}. Videos take a workflow, a prompt and parameters; images a
 * prompt; text a prompt or a conversation ({@code messages}), with optional temperature, output cap,
 * system instruction and {@code stream}.
 */
record GenerationRequest(@NotNull @Pattern(regexp = "video|image|text", message = "must be video, image or text") String kind,
		@Nullable String workflow, @Size(max = 4000) @Nullable String prompt, @Valid @Nullable Parameters parameters,
		@Size(min = 1, max = 50) @Nullable List<@Valid @NotNull ChatMessage> messages,
		@DecimalMin("0") @DecimalMax("2") @Nullable Double temperature, @Min(1) @Max(8192) @Nullable Integer maxOutputTokens,
		@Size(max = 4000) @Nullable String system, @Nullable Boolean stream) {

	/** Video parameters; each workflow says which values it takes. */
	record Parameters(@Nullable Integer durationSeconds, @Nullable String resolution, @Nullable Integer fps,
			@Nullable Long seed) {
	}

	/** One turn of a conversation. */
	record ChatMessage(@NotNull @Pattern(regexp = "user|model", message = "must be user or model") String role,
			@NotBlank @Size(max = 8000) String text) {
	}

	boolean streamed() {
		return Boolean.TRUE.equals(stream);
	}
}
