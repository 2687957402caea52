package dev.kiln.payments;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * What Kiln sells. Prices are integers in the currency's minor unit (799 EUR = 7.99 EUR); credits are
 * whole numbers. Ids are stable: payments and subscriptions refer to them.
 */
@ConfigurationProperties("kiln.payments.catalog")
@Validated
record CatalogSettings(@NotEmpty List<@Valid Pack> packs, List<@Valid Plan> plans) {

	CatalogSettings {
		plans = plans == null ? List.of() : List.copyOf(plans);
		packs = packs == null ? List.of() : List.copyOf(packs);
		Set<String> ids = new HashSet<>();
		Stream.concat(packs.stream().map(Pack::id), plans.stream().map(Plan::id)).forEach(id -> {
			if (!ids.add(id)) {
				throw new IllegalArgumentException("kiln.payments.catalog: the id '" + id + "' is used twice");
			}
		});
	}

	/** The pack or plan with this id, if the catalog has one. */
	java.util.Optional<Item> item(String id) {
		return Stream.<Item>concat(packs.stream(), plans.stream()).filter(item -> item.id().equals(id)).findFirst();
	}

	/** Something to buy: a pack once, or a plan every month. */
	sealed interface Item permits Pack, Plan {

		String id();

		String name();

		long price();

		String currency();

		/** Credits per purchase (pack) or per paid period (plan). */
		long credits();

		default String kind() {
			return this instanceof Plan ? "plan" : "pack";
		}
	}

	/** A one-off purchase of {@code credits}. */
	record Pack(@NotBlank @Pattern(regexp = "[a-z0-9-]{1,40}") String id, @NotBlank @Size(max = 80) String name,
			@Positive long price, @Pattern(regexp = "[a-z]{3}", message = "must be an ISO 4217 code in lower case") String currency,
			@Positive long credits) implements Item {
	}

	/**
	 * A monthly subscription that grants {@code creditsPerPeriod} on every paid invoice. Its daily
	 * generation quota is {@code kiln.rate-limits.daily-generations.<id>} when set.
	 */
	record Plan(@NotBlank @Pattern(regexp = "[a-z0-9-]{1,40}") String id, @NotBlank @Size(max = 80) String name,
			@Positive long price, @Pattern(regexp = "[a-z]{3}", message = "must be an ISO 4217 code in lower case") String currency,
			@Positive long creditsPerPeriod) implements Item {

		@Override
		public long credits() {
			return creditsPerPeriod;
		}
	}
}
