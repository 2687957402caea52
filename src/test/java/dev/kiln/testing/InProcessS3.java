package dev.kiln.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * An S3 API server (S3Proxy over the filesystem) inside the JVM, started on first use and shared. It
 * checks AWS signatures like R2 does, with credentials made up for this run.
 */
public final class InProcessS3 {

	private static Server server;

	private InProcessS3() {
	}

	/** A server storing under a fresh temporary folder, deleted when the JVM exits. */
	public static synchronized Server shared() {
		if (server == null) {
			try {
				Path folder = Files.createTempDirectory("kiln-s3-");
				Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder), "s3-cleanup"));
				server = start(folder);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return server;
	}

	/** A server storing under {@code folder}, which outlives it (for local runs). */
	public static Server start(Path folder) {
		String accessKey = "local-" + randomHex(8);
		String secretKey = randomHex(20);
		try {
			Files.createDirectories(folder);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Properties properties = new Properties();
		properties.setProperty("jclouds.filesystem.basedir", folder.toString());
		BlobStore store = BlobStores.create("filesystem", properties);
		S3Proxy proxy = S3Proxy.builder()
			.blobStore(store)
			.endpoint(URI.create("http://127.0.0.1:0"))
			.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
			.build();
		try {
			proxy.start();
			while (!"STARTED".equals(proxy.getState())) {
				Thread.onSpinWait();
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException("S3Proxy did not start", ex);
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(proxy), "s3-shutdown"));
		return new Server(URI.create("http://127.0.0.1:" + proxy.getPort()), accessKey, secretKey, folder);
	}

	private static void stop(S3Proxy proxy) {
		try {
			proxy.stop();
		}
		catch (Exception ex) {
			// the JVM is exiting; nothing to do
		}
	}

	private static String randomHex(int bytes) {
		byte[] random = new byte[bytes];
		ThreadLocalRandom.current().nextBytes(random);
		return HexFormat.of().formatHex(random);
	}

	private static void delete(Path folder) {
		try (Stream<Path> paths = Files.walk(folder)) {
			paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException ex) {
			// best effort at exit
		}
	}

	/** Where the server listens and how to sign requests to it. */
	public record Server(URI endpoint, String accessKey, String secretKey, Path folder) {

		/** Creates a bucket (a folder of the filesystem store) and returns its name. */
		public String createBucket(String name) {
			try {
				Files.createDirectories(folder.resolve(name));
				return name;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}
}
