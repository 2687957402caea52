package dev.kiln.platform.web;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebValuesTests {

	@Test
	void javaFieldPathsBecomeTheClientsSnakeCase() {
		assertThat(JsonNames.of("unitPrice")).isEqualTo("unit_price");
		assertThat(JsonNames.of("items[0].unitPrice")).isEqualTo("items[0].unit_price");
		assertThat(JsonNames.of("userID")).isEqualTo("user_id");
		assertThat(JsonNames.of("name")).isEqualTo("name");
	}

	@Test
	void generatedRequestIdsAreVersionFourUuids() {
		UUID id = UUID.fromString(RequestIds.generate());

		assertThat(id.version()).isEqualTo(4);
		assertThat(id.variant()).isEqualTo(2);
		assertThat(RequestIds.generate()).isNotEqualTo(RequestIds.generate());
	}
}
