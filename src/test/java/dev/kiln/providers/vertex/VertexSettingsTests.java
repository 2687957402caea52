package dev.kiln.providers.vertex;

import java.io.IOException;
import java.util.Map;

import dev.kiln.providers.vertex.Route.Api;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code kiln.vertex} bound as at start-up: application.yml under the properties a deployment sets. */
class VertexSettingsTests {

	@Test
	void routesAreGeminiUnlessTheySayImagen() throws IOException {
		VertexSettings settings = bind(Map.of("kiln.vertex.routes.image[0].model", "imagen-4.0-fast-generate-001",
				"kiln.vertex.routes.image[0].api", "imagen", "kiln.vertex.routes.image[1].model",
				"gemini-2.5-flash-image", "kiln.vertex.routes.image[1].location", "us-central1"));

		assertThat(settings.imageRoutes()).containsExactly(
				new Route("imagen-4.0-fast-generate-001", "europe-west4", Api.IMAGEN),
				new Route("gemini-2.5-flash-image", "us-central1", Api.GEMINI));
		assertThat(settings.textRoutes()).isNotEmpty().allSatisfy(route -> assertThat(route.api()).isEqualTo(Api.GEMINI));
		assertThat(bind(Map.of()).imageRoutes()).as("application.yml: Gemini image models only")
			.allSatisfy(route -> assertThat(route.api()).isEqualTo(Api.GEMINI));
	}

	@Test
	void startUpRefusesImagenForTextAndAModelCalledThroughTheOtherApiNamingTheRoute() {
		assertThatThrownBy(() -> bind(Map.of("kiln.vertex.routes.text[0].model", "imagen-4.0-generate-001",
				"kiln.vertex.routes.text[0].api", "imagen")))
			.rootCause()
			.hasMessage("kiln.vertex.routes.text[0] (imagen-4.0-generate-001) is Imagen, which only draws images: "
					+ "text routes are Gemini's");
		assertThatThrownBy(() -> bind(Map.of("kiln.vertex.routes.text[0].model", "gemini-2.5-flash",
				"kiln.vertex.routes.text[1].model", "imagen-4.0-generate-001")))
			.rootCause()
			.hasMessageStartingWith("kiln.vertex.routes.text[1] (imagen-4.0-generate-001) is Imagen");
		assertThatThrownBy(() -> bind(Map.of("kiln.vertex.routes.image[0].model", "gemini-2.5-flash-image",
				"kiln.vertex.routes.image[1].model", "imagen-4.0-generate-001")))
			.rootCause()
			.hasMessage("kiln.vertex.routes.image[1] (imagen-4.0-generate-001) is an Imagen model: add api: imagen");
		assertThatThrownBy(() -> bind(Map.of("kiln.vertex.routes.image[0].model", "gemini-2.5-flash-image",
				"kiln.vertex.routes.image[0].api", "imagen")))
			.rootCause()
			.hasMessageContaining("kiln.vertex.routes.image[0] (gemini-2.5-flash-image) is a Gemini model")
			.hasMessageContaining("drop api: imagen");
		assertThatThrownBy(() -> bind(Map.of("kiln.vertex.routes.image[0].model", "imagen-4.0-generate-001",
				"kiln.vertex.routes.image[0].api", "dall-e")))
			.isInstanceOf(BindException.class);
	}

	private static VertexSettings bind(Map<String, Object> deployment) throws IOException {
		MutablePropertySources sources = new MutablePropertySources();
		sources.addLast(new MapPropertySource("deployment", deployment));
		new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))
			.forEach(sources::addLast);
		return new Binder(ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(sources))
			.bindOrCreate("kiln.vertex", VertexSettings.class);
	}
}
