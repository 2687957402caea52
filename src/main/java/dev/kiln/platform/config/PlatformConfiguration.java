package dev.kiln.platform.config;

import java.time.Clock;

import dev.kiln.platform.Ids;
import dev.kiln.platform.web.RequestIds;
import io.micrometer.context.ContextRegistry;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {

	static {
		Ids.uuid(); // seeds the id generator now, on the main thread
		// With spring.reactor.context-propagation=auto, Reactor restores registered thread locals from
		// the subscriber context on every thread hop, so the request id reaches the MDC of each log line.
		ContextRegistry.getInstance()
			.registerThreadLocalAccessor(RequestIds.KEY, () -> MDC.get(RequestIds.KEY),
					value -> MDC.put(RequestIds.KEY, value), () -> MDC.remove(RequestIds.KEY));
	}

	/** Time for decisions that must be testable (hold deadlines); tests replace it with a settable one. */
	@Bean
	@ConditionalOnMissingBean
	Clock clock() {
		return Clock.systemUTC();
	}
}
