package dev.kiln.platform.config;

import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Hibernate Validator reads its message bundles out of jar files the first time a constraint fails.
 * Failing one constraint at start-up does that read here, on the main thread, instead of on the event
 * loop of the first invalid request (BlockHound caught it there).
 */
@Component
class ValidatorWarmUp implements SmartInitializingSingleton {

	private final Validator validator;

	ValidatorWarmUp(Validator validator) {
		this.validator = validator;
	}

	@Override
	public void afterSingletonsInstantiated() {
		validator.validate(new Invalid(null));
	}

	private record Invalid(@NotNull String value) {
	}
}
