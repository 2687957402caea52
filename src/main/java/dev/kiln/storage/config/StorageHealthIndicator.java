package dev.kiln.storage.config;

import java.time.Duration;

import dev.kiln.storage.StorageSettings;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** Up when the results bucket answers a HEAD. */
class StorageHealthIndicator extends AbstractReactiveHealthIndicator {

	private final S3AsyncClient s3;

	private final StorageSettings settings;

	StorageHealthIndicator(S3AsyncClient s3, StorageSettings settings) {
		super("Storage health check failed");
		this.s3 = s3;
		this.settings = settings;
	}

	@Override
	protected Mono<Health> doHealthCheck(Health.Builder builder) {
		return Mono.fromFuture(() -> s3.headBucket(request -> request.bucket(settings.bucket())))
			.timeout(Duration.ofSeconds(3))
			.map(response -> builder.up().withDetail("bucket", settings.bucket()).build());
	}
}
