package dev.kiln.testing;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.payments.PaymentEvents;
import dev.kiln.testing.runpod.RunpodEmulator;
import dev.kiln.testing.stripe.StripeEmulator;
import dev.kiln.testing.vertex.VertexEmulator;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Gives every {@link KilnIntegrationTest} class infrastructure of its own. The customizer is equal only
 * for the same class, so each class gets its own application context, database and Redis database.
 */
class IsolatedInfrastructureCustomizerFactory implements ContextCustomizerFactory {

	/** Points Kiln's Stripe client at an emulator of the context's own, with keys made for this run. */
	static Map<String, Object> stripeProperties(StripeEmulator stripe) {
		return Map.of("kiln.payments.stripe.api-base", stripe.baseUrl(), "kiln.payments.stripe.secret-key",
				stripe.apiKey(), "kiln.payments.stripe.webhook-secret", stripe.webhookSecret());
	}

	/** Points Kiln's Vertex AI client at an emulator of the context's own, with its access token. */
	static Map<String, Object> vertexProperties(VertexEmulator vertex) {
		return Map.of("kiln.vertex.base-url", vertex.baseUrl(), "kiln.vertex.access-token", vertex.accessToken(),
				"kiln.vertex.project", "kiln-test");
	}

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		boolean annotated = MergedAnnotations.from(testClass, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY)
			.isPresent(KilnIntegrationTest.class);
		return annotated ? new IsolatedInfrastructure(testClass) : null;
	}

	private record IsolatedInfrastructure(Class<?> testClass) implements ContextCustomizer {

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
			TestDatabases.TestDatabase database = TestDatabases.create(testClass.getSimpleName());
			InProcessS3.Server s3 = InProcessS3.shared();
			String bucket = s3.createBucket("t-" + Integer.toHexString(System.identityHashCode(context)) + "-"
					+ testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""));
			Infrastructure infrastructure = new Infrastructure(database, LocalServices.redis(),
					RedisDatabases.claim(), InProcessKafka.bootstrapServers(), s3, bucket);
			StripeEmulator stripe = StripeEmulator.start();
			Map<String, Object> properties = new HashMap<>(infrastructure.properties());
			properties.putAll(stripeProperties(stripe));
			RunpodEmulator runpod = RunpodEmulator.start();
			properties.put("kiln.runpod.api-base", runpod.baseUrl());
			properties.put("kiln.runpod.api-key", runpod.apiKey());
			properties.put("kiln.generations.video.endpoint-id", runpod.endpointId());
			// quick to trip and to recover, so outage tests take seconds
			properties.put("kiln.runpod.retry.first-backoff", "50ms");
			properties.put("kiln.runpod.circuit.minimum-calls", "3");
			properties.put("kiln.runpod.circuit.window", "5");
			properties.put("kiln.runpod.circuit.open-for", "1s");
			VertexEmulator vertex = VertexEmulator.start();
			properties.putAll(vertexProperties(vertex));
			// quick to trip and to recover, as for RunPod
			properties.put("kiln.vertex.retry.first-backoff", "20ms");
			properties.put("kiln.vertex.retry.max-backoff", "100ms");
			properties.put("kiln.vertex.retry.max-retry-after", "2s");
			properties.put("kiln.vertex.circuit.minimum-calls", "3");
			properties.put("kiln.vertex.circuit.window", "5");
			properties.put("kiln.vertex.circuit.open-for", "1s");
			properties.put("kiln.vertex.timeout", "5s");
			// tests run the reconcilers themselves, so a scheduled run never races them
			properties.put("kiln.payments.reconcile-interval", "1h");
			properties.put("kiln.generations.video.reconcile-interval", "1h");
			// the Kafka broker is shared by the JVM: each context publishes and consumes topics of its own
			properties.put("kiln.messaging.topic-prefix", bucket + ".");
			// Redis pub/sub channels are shared by all Redis databases: each context has its own
			properties.put("kiln.generations.streams.channel", bucket + ".status");
			// above the application's files, below a test class's own @TestPropertySource: until 2026-12-02 these
			// came first and silently won over a class that set one of them (open-for=10m stayed 1s)
			MutablePropertySources sources = context.getEnvironment().getPropertySources();
			MapPropertySource infrastructureProperties = new MapPropertySource("kiln-test-infrastructure", properties);
			if (sources.contains(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME)) {
				sources.addAfter(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME, infrastructureProperties);
			}
			else {
				sources.addFirst(infrastructureProperties);
			}
			context.getBeanFactory().registerSingleton("stripeEmulator", stripe);
			context.getBeanFactory().registerSingleton("runpodEmulator", runpod);
			context.getBeanFactory().registerSingleton("vertexEmulator", vertex);
			context.addApplicationListener(event -> {
				if (event instanceof WebServerInitializedEvent started && started.getApplicationContext() == context) {
					stripe.sendWebhooksTo(URI.create("http://localhost:" + started.getWebServer().getPort() + "/webhooks/stripe"),
							PaymentEvents.HANDLED);
				}
				if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == context) {
					stripe.close();
					runpod.close();
					vertex.close();
					database.drop();
				}
			});
		}
	}
}
