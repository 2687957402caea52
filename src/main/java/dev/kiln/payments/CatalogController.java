package dev.kiln.payments;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The catalog, public: prices are not secret and a sign-up page shows them. */
@RestController
class CatalogController {

	private final CatalogSettings catalog;

	CatalogController(CatalogSettings catalog) {
		this.catalog = catalog;
	}

	@GetMapping("/v1/packages")
	Packages packages() {
		return new Packages(
				catalog.packs().stream().map(pack -> new Offer(pack.id(), "pack", pack.name(),
						new Price(pack.price(), pack.currency()), pack.credits(), null)).toList(),
				catalog.plans().stream().map(plan -> new Offer(plan.id(), "plan", plan.name(),
						new Price(plan.price(), plan.currency()), plan.creditsPerPeriod(), "month")).toList());
	}

	record Packages(List<Offer> packs, List<Offer> plans) {
	}

	/** {@code credits} per purchase for a pack, per period for a plan. */
	record Offer(String id, String kind, String name, Price price, long credits, @org.jspecify.annotations.Nullable String interval) {
	}

	/** Money as integers: {@code amount} in the currency's minor unit. */
	record Price(long amount, String currency) {
	}
}
