package dev.kiln.storage;

import java.net.URI;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where results are stored. For R2: {@code https://<account>.r2.cloudflarestorage.com}, region
 * {@code auto}. Keys come from the environment, never from files in the repository.
 */
@ConfigurationProperties("kiln.storage")
@Validated
public record StorageSettings(@NotNull URI endpoint, @NotBlank String region, @NotBlank String bucket,
		@NotBlank String accessKeyId, @NotBlank String secretAccessKey, boolean pathStyle) {

	@Override
	public String toString() {
		return "StorageSettings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
				+ ", accessKeyId=" + accessKeyId + ", secretAccessKey=<redacted>, pathStyle=" + pathStyle + "]";
	}
}
