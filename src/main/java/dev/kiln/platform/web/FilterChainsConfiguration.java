package dev.kiln.platform.web;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.web.server.WebFilter;

/** WebFlux's and Spring Security's filters run without a checkpoint each ({@link FilterChains} says why). */
@Configuration(proxyBeanMethods = false)
class FilterChainsConfiguration {

	/** WebFlux's filters, already in order here, become one filter that runs them in turn. */
	@Bean
	WebHttpHandlerBuilderCustomizer filtersWithoutCheckpoints() {
		return builder -> builder.filters(filters -> {
			if (filters.size() > 1) {
				WebFilter all = FilterChains.asOne(filters);
				filters.clear();
				filters.add(all);
			}
		});
	}

	/**
	 * Replaces whatever decorator Spring Security chose. That is its plain one only because Kiln turns its
	 * observations off ({@code SecurityConfiguration.securityObservations}); with them on, this would
	 * silently drop the observing decorator.
	 */
	@Bean
	static BeanPostProcessor securityFiltersWithoutCheckpoints() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof WebFilterChainProxy proxy) {
					proxy.setFilterChainDecorator(new FilterChains());
				}
				return bean;
			}
		};
	}
}
