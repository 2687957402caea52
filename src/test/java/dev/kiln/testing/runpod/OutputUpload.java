package dev.kiln.testing.runpod;

import java.net.URI;

/**
 * One output the simulated worker PUT to its {@code upload_url}: {@code status} is the storage's
 * answer, or -1 when no HTTP answer came.
 */
public record OutputUpload(String name, URI url, String contentType, int size, int status) {

	public boolean succeeded() {
		return status >= 200 && status < 300;
	}
}
