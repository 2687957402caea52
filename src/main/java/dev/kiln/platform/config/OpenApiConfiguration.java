package dev.kiln.platform.config;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	@Bean
	OpenAPI kilnOpenApi() {
		return new OpenAPI().info(new Info().title("Kiln API")
			.description("Buy credits, spend them on image, text and video generations, follow jobs live. "
					+ "Errors are RFC 9457 problem details; JSON is snake_case.")
			.version("v1")
			.license(new License().name("Apache-2.0")));
	}
}
