package dev.kiln.payments;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogSettingsTests {

	@Test
	void anIdUsedTwiceStopsStartUp() {
		CatalogSettings.Pack pack = new CatalogSettings.Pack("same", "A", 799, "eur", 100);
		CatalogSettings.Plan plan = new CatalogSettings.Plan("same", "B", 999, "eur", 150);

		assertThatThrownBy(() -> new CatalogSettings(List.of(pack), List.of(plan)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("'same' is used twice");
	}
}
