package dev.kiln.platform.web;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Browser front ends allowed to call the API from another origin (exact origins, e.g.
 * {@code https://app.example.com}). None by default. Credentials travel in the Authorization header,
 * never in cookies, so credentialed CORS is not needed.
 */
@ConfigurationProperties("kiln.web.cors")
@Validated
public record CorsSettings(List<String> allowedOrigins, Duration maxAge) {

	public CorsSettings {
		allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
		maxAge = maxAge == null ? Duration.ofHours(1) : maxAge;
		allowedOrigins.forEach(origin -> {
			if (origin.equals("*") || origin.endsWith("/")) {
				throw new IllegalArgumentException("kiln.web.cors.allowed-origins takes exact origins like "
						+ "https://app.example.com, not '" + origin + "'");
			}
		});
	}
}
