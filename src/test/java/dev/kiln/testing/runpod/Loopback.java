package dev.kiln.testing.runpod;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The emulator sends HTTP (webhooks, progress reports, uploads) to this machine only, so a test can never
 * reach a real service by mistake.
 */
final class Loopback {

	private Loopback() {
	}

	/** The URL as a URI, if it is http(s) on a loopback address; otherwise IllegalArgumentException. */
	static URI require(String url, String what) {
		URI uri;
		try {
			uri = URI.create(url);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(what + " is not a valid URL: " + url, ex);
		}
		String scheme = uri.getScheme();
		if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
			throw new IllegalArgumentException(what + " must be an http(s) URL: " + url);
		}
		try {
			if (uri.getHost() == null || !InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
				throw new IllegalArgumentException(
						"The RunPod emulator sends requests to loopback addresses only; " + what + ": " + url);
			}
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("Unknown host in " + what + ": " + url, ex);
		}
		return uri;
	}
}
