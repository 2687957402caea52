package dev.kiln.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** The properties that point Kiln at one set of real local infrastructure. */
public record Infrastructure(TestDatabases.TestDatabase database, ServiceEndpoint redis, int redisDatabase,
		String kafkaBootstrapServers, InProcessS3.Server s3, String bucket) {

	public Map<String, Object> properties() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.r2dbc.url", database.r2dbcUrl());
		properties.put("spring.r2dbc.username", database.server().user());
		properties.put("spring.r2dbc.password", database.server().password());
		properties.put("spring.flyway.url", database.jdbcUrl());
		properties.put("spring.flyway.user", database.server().user());
		properties.put("spring.flyway.password", database.server().password());
		properties.put("spring.data.redis.host", redis.host());
		properties.put("spring.data.redis.port", redis.port());
		properties.put("spring.data.redis.database", redisDatabase);
		properties.put("spring.kafka.bootstrap-servers", kafkaBootstrapServers);
		properties.put("kiln.messaging.replicas", 1); // one in-process broker
		properties.put("kiln.storage.endpoint", s3.endpoint().toString());
		properties.put("kiln.storage.bucket", bucket);
		properties.put("kiln.storage.access-key-id", s3.accessKey());
		properties.put("kiln.storage.secret-access-key", s3.secretKey());
		properties.putAll(TestKeys.personalDataProperties());
		properties.putAll(TestSecrets.authProperties());
		return properties;
	}
}
