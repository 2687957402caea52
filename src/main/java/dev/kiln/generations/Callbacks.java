package dev.kiln.generations;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The URLs a GPU worker calls back on. RunPod does not sign its webhooks, so each URL carries a token:
 * an HMAC-SHA256 of the job id under Kiln's callback secret. It authenticates the caller for that one
 * job and is compared in constant time; a token for one job is worthless for another.
 */
@Component
class Callbacks {

	private final SecretKeySpec key;

	private final @Nullable URI configuredBase;

	private volatile @Nullable URI localBase;

	Callbacks(GenerationSettings settings) {
		byte[] secret = Base64.getDecoder().decode(settings.callbackSecret());
		if (secret.length < 32) {
			throw new IllegalArgumentException("kiln.generations.callback-secret must be base64 of at least 32 bytes");
		}
		this.key = new SecretKeySpec(secret, "HmacSHA256");
		this.configuredBase = settings.callbackBaseUrl();
	}

	@EventListener
	void on(WebServerInitializedEvent started) {
		if (started.getApplicationContext().getServerNamespace() == null) {
			localBase = URI.create("http://127.0.0.1:" + started.getWebServer().getPort());
		}
	}

	URI completion(UUID job) {
		return base().resolve("/webhooks/runpod/" + job + "?token=" + token(job));
	}

	URI progress(UUID job) {
		return base().resolve("/webhooks/runpod/" + job + "/progress?token=" + token(job));
	}

	boolean verify(UUID job, @Nullable String token) {
		return token != null && MessageDigest.isEqual(token(job).getBytes(StandardCharsets.US_ASCII),
				token.getBytes(StandardCharsets.US_ASCII));
	}

	String token(UUID job) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(key);
			byte[] digest = mac.doFinal(("runpod:" + job).getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is always available", ex);
		}
	}

	private URI base() {
		URI base = configuredBase != null ? configuredBase : localBase;
		if (base == null) {
			throw new IllegalStateException("no callback base URL: set kiln.generations.callback-base-url");
		}
		return base;
	}
}
