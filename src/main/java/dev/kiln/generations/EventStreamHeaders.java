package dev.kiln.generations;

import org.springframework.http.HttpHeaders;

/** Headers of every event stream Kiln sends. */
final class EventStreamHeaders {

	private EventStreamHeaders() {
	}

	/** no-transform and X-Accel-Buffering: proxies (nginx among them) must pass events on at once. */
	static void passOnAtOnce(HttpHeaders headers) {
		headers.set(HttpHeaders.CACHE_CONTROL, "no-cache, no-transform");
		headers.set("X-Accel-Buffering", "no");
	}
}
