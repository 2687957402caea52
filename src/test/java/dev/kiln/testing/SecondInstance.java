package dev.kiln.testing;

import java.util.HashMap;
import java.util.Map;

import dev.kiln.KilnApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Another Kiln process, in all but name: a second application on its own port sharing the test
 * context's PostgreSQL database, Redis database, Kafka and S3. Close it after the test.
 */
public final class SecondInstance implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private SecondInstance(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/** Starts one with the infrastructure and inlined test properties of {@code environment}. */
	public static SecondInstance sharing(ConfigurableEnvironment environment) {
		Map<String, Object> properties = new HashMap<>();
		environment.getPropertySources().forEach(source -> {
			if (source instanceof EnumerablePropertySource<?> enumerable && (source.getName().equals("kiln-test-infrastructure")
					|| source.getName().contains("Inlined Test Properties"))) {
				for (String name : enumerable.getPropertyNames()) {
					properties.putIfAbsent(name, enumerable.getProperty(name));
				}
			}
		});
		properties.put("server.port", "0");
		// arguments, because a builder's properties are only defaults, below application.yml
		return new SecondInstance(new SpringApplicationBuilder(KilnApplication.class, OwnNettyResources.class)
			.run(properties.entrySet().stream().map(entry -> "--" + entry.getKey() + "=" + entry.getValue()).toArray(String[]::new)));
	}

	/**
	 * Its own event loops and connection pool: with Reactor Netty's global resources, starting and
	 * stopping it would reset the first instance's (and its test client's) connections.
	 */
	@Configuration(proxyBeanMethods = false)
	static class OwnNettyResources {

		@Bean
		ReactorResourceFactory reactorResourceFactory() {
			ReactorResourceFactory resources = new ReactorResourceFactory();
			resources.setUseGlobalResources(false);
			return resources;
		}
	}

	public int port() {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	public WebTestClient client() {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + context.getEnvironment().getProperty("local.server.port"))
			.build();
	}

	@Override
	public void close() {
		context.close();
	}
}
