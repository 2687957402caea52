package dev.kiln;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/** Features may use each other's public API only, with no cycles. Also draws the module diagram. */
class ModularityTests {

	private final ApplicationModules modules = ApplicationModules.of(KilnApplication.class);

	@Test
	void featuresOnlyUseEachOthersPublicApiAndFormNoCycles() {
		modules.verify();
	}

	@Test
	void writesTheModuleDiagram() {
		new Documenter(modules).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
	}
}
