package dev.kiln.storage;

import java.time.Duration;
import java.util.concurrent.CompletionException;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import org.springframework.stereotype.Service;

/**
 * Generation results in the bucket. Workers upload and clients download through short-lived presigned
 * URLs, so bytes never pass through Kiln and no storage key leaves the server; Kiln itself only asks
 * whether an object is there ({@link #head}).
 */
@Service
public class ResultStore {

	private final S3AsyncClient s3;

	private final S3Presigner presigner;

	private final StorageSettings settings;

	ResultStore(S3AsyncClient s3, S3Presigner presigner, StorageSettings settings) {
		this.s3 = s3;
		this.presigner = presigner;
		this.settings = settings;
	}

	/** A URL that lets its holder PUT exactly this object, with this content type, until it expires. */
	public String uploadUrl(String key, String contentType, Duration validFor) {
		return presigner.presignPutObject(request -> request.signatureDuration(validFor)
			.putObjectRequest(PutObjectRequest.builder().bucket(settings.bucket()).key(key).contentType(contentType).build()))
			.url()
			.toString();
	}

	/** A URL that lets its holder GET this object until it expires. */
	public String downloadUrl(String key, Duration validFor) {
		return presigner.presignGetObject(request -> request.signatureDuration(validFor)
			.getObjectRequest(GetObjectRequest.builder().bucket(settings.bucket()).key(key).build()))
			.url()
			.toString();
	}

	/** Stores bytes Kiln itself produced (an image from Vertex), non-blocking. */
	public Mono<StoredObject> put(String key, byte[] bytes, String contentType) {
		return Mono.fromFuture(() -> s3.putObject(PutObjectRequest.builder().bucket(settings.bucket()).key(key)
					.contentType(contentType).contentLength((long) bytes.length).build(), AsyncRequestBody.fromBytes(bytes)))
			.thenReturn(new StoredObject(key, bytes.length, contentType));
	}

	/** The object's size and type, or empty when there is no such object. */
	public Mono<StoredObject> head(String key) {
		return Mono.fromFuture(() -> s3.headObject(HeadObjectRequest.builder().bucket(settings.bucket()).key(key).build()))
			.map(response -> new StoredObject(key, response.contentLength() == null ? 0 : response.contentLength(),
					response.contentType()))
			.onErrorResume(ResultStore::isMissing, ex -> Mono.empty());
	}

	private static boolean isMissing(Throwable error) {
		Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
		return cause instanceof NoSuchKeyException || cause instanceof S3Exception s3 && s3.statusCode() == 404;
	}

	/** An object as the store describes it. */
	public record StoredObject(String key, long size, @Nullable String contentType) {
	}
}
