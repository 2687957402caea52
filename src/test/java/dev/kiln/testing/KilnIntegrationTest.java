package dev.kiln.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Starts Kiln on a random port against real infrastructure: a PostgreSQL database of this class's own
 * (created, migrated, dropped when the context closes), its own Redis database, the shared in-process
 * Kafka broker and S3 server with a bucket of its own. See {@link IsolatedInfrastructureCustomizerFactory}.
 * The context is never shared with another class, so it is closed when the class ends: that drops the
 * database and returns its connections, instead of keeping every class's pool open until the JVM exits.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(TestClockConfiguration.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public @interface KilnIntegrationTest {

}
