package dev.kiln;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import dev.kiln.payments.PaymentEvents;
import dev.kiln.testing.InProcessKafka;
import dev.kiln.testing.InProcessS3;
import dev.kiln.testing.Infrastructure;
import dev.kiln.testing.LocalServices;
import dev.kiln.testing.TestDatabases;
import dev.kiln.testing.runpod.RunpodEmulator;
import dev.kiln.testing.stripe.StripeEmulator;
import dev.kiln.testing.vertex.VertexEmulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Runs Kiln locally with everything it needs: {@code ./mvnw spring-boot:test-run}. PostgreSQL and
 * Redis are the local services (or containers, see {@link LocalServices}); Kafka and S3 run inside
 * this JVM. Data is kept between runs: database {@code kiln_local}, objects under
 * {@code target/local-s3}.
 */
public class TestApplication {

	public static void main(String[] args) {
		quietInfrastructureLogs();
		try {
			run(args);
		}
		catch (RuntimeException ex) {
			LoggerFactory.getLogger(TestApplication.class).error("Kiln could not start locally", ex);
			System.exit(1); // the in-process Kafka broker's threads would keep the JVM alive
		}
	}

	private static void run(String[] args) {
		Infrastructure infrastructure = new Infrastructure(TestDatabases.createIfMissing("kiln_local"),
				LocalServices.redis(), 0, InProcessKafka.bootstrapServers(),
				InProcessS3.start(Path.of("target", "local-s3").toAbsolutePath()), "kiln-local");
		infrastructure.s3().createBucket(infrastructure.bucket());
		Map<String, Object> properties = new LinkedHashMap<>(infrastructure.properties());
		properties.putAll(localSecrets(properties));
		StripeEmulator stripe = StripeEmulator.start();
		properties.put("kiln.payments.stripe.api-base", stripe.baseUrl());
		properties.put("kiln.payments.stripe.secret-key", stripe.apiKey());
		properties.put("kiln.payments.stripe.webhook-secret", stripe.webhookSecret());
		LocalRunReport.stripe = stripe;
		RunpodEmulator runpod = RunpodEmulator.start();
		properties.put("kiln.runpod.api-base", runpod.baseUrl());
		properties.put("kiln.runpod.api-key", runpod.apiKey());
		properties.put("kiln.generations.video.endpoint-id", runpod.endpointId());
		LocalRunReport.runpod = runpod;
		VertexEmulator vertex = VertexEmulator.start();
		properties.put("kiln.vertex.base-url", vertex.baseUrl());
		properties.put("kiln.vertex.access-token", vertex.accessToken());
		properties.put("kiln.vertex.project", "kiln-local");
		LocalRunReport.vertex = vertex;
		// System properties outrank application.yml and stay below command-line arguments.
		properties.forEach((key, value) -> System.setProperty(key, String.valueOf(value)));
		SpringApplication.from(KilnApplication::main).with(LocalRunReport.class).run(args);
	}

	/**
	 * Keys made at random on the first local run and kept in {@code target/local-secrets.properties}, so
	 * that data sealed, tokens signed and API keys made in one run still work in the next.
	 */
	private static Map<String, Object> localSecrets(Map<String, Object> generated) {
		Path file = Path.of("target", "local-secrets.properties");
		Properties secrets = new Properties();
		try {
			if (Files.exists(file)) {
				try (Reader reader = Files.newBufferedReader(file)) {
					secrets.load(reader);
				}
			}
			// keys a newer Kiln needs are added to an older file, never replacing what is there
			boolean added = false;
			for (Map.Entry<String, Object> entry : generated.entrySet()) {
				String key = entry.getKey();
				boolean secret = key.startsWith("kiln.auth.") || key.startsWith("kiln.accounts.personal-data.")
						|| key.equals("kiln.generations.callback-secret");
				if (secret && !secrets.containsKey(key)) {
					secrets.setProperty(key, String.valueOf(entry.getValue()));
					added = true;
				}
			}
			if (added) {
				Files.createDirectories(file.getParent());
				try (Writer writer = Files.newBufferedWriter(file)) {
					secrets.store(writer, "Kiln local-run secrets, made at random; delete to start afresh");
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Map<String, Object> loaded = new LinkedHashMap<>();
		secrets.forEach((key, value) -> loaded.put((String) key, value));
		return loaded;
	}

	/** Kafka and S3 start before Spring configures logging; until then they would log at INFO. */
	private static void quietInfrastructureLogs() {
		for (String name : new String[] { "org.apache.kafka", "kafka", "org.gaul", "org.eclipse.jetty" }) {
			((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(ch.qos.logback.classic.Level.WARN);
		}
	}

	/** Points the Stripe emulator's webhooks at Kiln and says where everything listens, once Kiln is ready. */
	@TestConfiguration(proxyBeanMethods = false)
	static class LocalRunReport {

		private static final Logger log = LoggerFactory.getLogger(LocalRunReport.class);

		static StripeEmulator stripe;

		static RunpodEmulator runpod;

		static VertexEmulator vertex;

		@Bean
		ApplicationListener<ApplicationReadyEvent> reportWhereEverythingListens(Environment environment) {
			return event -> {
				String kiln = "http://localhost:" + environment.getProperty("local.server.port");
				stripe.sendWebhooksTo(java.net.URI.create(kiln + "/webhooks/stripe"), PaymentEvents.HANDLED);
				log.info("""

						Kiln is running at {}
						  API document  {}/v3/api-docs   (browse: {}/swagger-ui.html)
						  health        {}/actuator/health   metrics: {}/actuator/prometheus
						  PostgreSQL    {} (user {})
						  Redis         {}:{} database {}
						  Kafka         {} (in this JVM)
						  S3 (R2 API)   {} bucket {} (in this JVM; access key {}, secret in kiln.storage.secret-access-key)
						  Stripe        {} (emulator in this JVM; checkout pages have a Pay button, webhooks go to Kiln)
						  RunPod        {} (emulator in this JVM; renders a small MP4 into the bucket, calls Kiln back)
						  Vertex AI     {} (Gemini emulator in this JVM; echoes prompts, draws 16x16 PNGs)
						Stop with Ctrl+C.""", kiln, kiln, kiln, kiln, kiln,
						environment.getProperty("spring.flyway.url"), environment.getProperty("spring.r2dbc.username"),
						environment.getProperty("spring.data.redis.host"),
						environment.getProperty("spring.data.redis.port"),
						environment.getProperty("spring.data.redis.database"),
						environment.getProperty("spring.kafka.bootstrap-servers"),
						environment.getProperty("kiln.storage.endpoint"), environment.getProperty("kiln.storage.bucket"),
						environment.getProperty("kiln.storage.access-key-id"), stripe.baseUrl(), runpod.baseUrl(),
						vertex.baseUrl());
			};
		}
	}
}
