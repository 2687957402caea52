package dev.kiln.storage.config;

import dev.kiln.storage.StorageSettings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	@Bean(destroyMethod = "close")
	S3AsyncClient s3(StorageSettings settings) {
		return S3AsyncClient.builder()
			.endpointOverride(settings.endpoint())
			.region(Region.of(settings.region()))
			.credentialsProvider(StaticCredentialsProvider
				.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
			.forcePathStyle(settings.pathStyle())
			// R2 and most S3-compatible stores reject the SDK's default CRC checksum headers.
			.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
			.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
			.httpClientBuilder(NettyNioAsyncHttpClient.builder())
			.build();
	}

	/** Signs URLs locally (no I/O): clients and GPU workers then move the bytes without Kiln. */
	@Bean(destroyMethod = "close")
	S3Presigner s3Presigner(StorageSettings settings) {
		return S3Presigner.builder()
			.endpointOverride(settings.endpoint())
			.region(Region.of(settings.region()))
			.credentialsProvider(StaticCredentialsProvider
				.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
			.serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build())
			.build();
	}

	@Bean
	StorageHealthIndicator storageHealthIndicator(S3AsyncClient s3, StorageSettings settings) {
		return new StorageHealthIndicator(s3, settings);
	}
}
