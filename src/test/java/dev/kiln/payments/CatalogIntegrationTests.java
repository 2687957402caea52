package dev.kiln.payments;

import dev.kiln.testing.KilnIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Anyone can see what Kiln sells: packs at EUR 7.99 to 9.99 and the monthly plan, priced in cents. */
@KilnIntegrationTest
class CatalogIntegrationTests {

	@Autowired
	WebTestClient web;

	@Test
	void theCatalogIsPublicAndPricedInMinorUnits() {
		web.get().uri("/v1/packages").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.packs.length()").isEqualTo(3)
			.jsonPath("$.packs[0].id").isEqualTo("pack-100")
			.jsonPath("$.packs[0].price.amount").isEqualTo(799)
			.jsonPath("$.packs[0].price.currency").isEqualTo("eur")
			.jsonPath("$.packs[0].credits").isEqualTo(100)
			.jsonPath("$.packs[2].price.amount").isEqualTo(999)
			.jsonPath("$.plans[0].id").isEqualTo("monthly-150")
			.jsonPath("$.plans[0].interval").isEqualTo("month")
			.jsonPath("$.plans[0].credits").isEqualTo(150);
	}
}
