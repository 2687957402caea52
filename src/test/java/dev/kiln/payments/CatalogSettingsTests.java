package dev.kiln.payments;

import java.util.List;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
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

	@Test
	void eachPackAndPlanIsValidatedAndNamedByItsPlaceInTheList() {
		CatalogSettings catalog = new CatalogSettings(List.of(new CatalogSettings.Pack("pack", "A", 799, "eur", 100)),
				List.of(new CatalogSettings.Plan("plan", "B", -1, "eur", 150)));
		try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
			Validator validator = factory.getValidator();
			assertThat(validator.validate(catalog)).extracting(violation -> violation.getPropertyPath().toString())
				.containsExactly("plans[0].price");
		}
	}
}
