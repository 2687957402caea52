package dev.kiln.testing.vertex;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.genai.Client;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;

/** Real google-genai clients on the Vertex AI backend, pointed at one emulator and closed together. */
final class GenaiClients implements AutoCloseable {

	static final String PROJECT = "kiln-test";

	static final String LOCATION = "us-central1";

	private final VertexEmulator vertex;

	private final List<Client> clients = new ArrayList<>();

	GenaiClients(VertexEmulator vertex) {
		this.vertex = vertex;
	}

	/** A client in {@link #LOCATION} with the emulator's credentials and the SDK's retries off. */
	Client client() {
		return client(LOCATION, vertex.credentials(), HttpOptions.builder());
	}

	/**
	 * A client as the SDK is built for Vertex, on the emulator's base URL. Unless {@code options} set
	 * retries, they are off, so each call is one request and a fault reaches the caller as the SDK reports
	 * it: {@code attempts(1)} alone still sleeps one backoff (up to 2 s) before surfacing a 429 or 5xx,
	 * since the interceptor only skips the sleep for statuses it is not told to retry.
	 */
	Client client(String location, GoogleCredentials credentials, HttpOptions.Builder options) {
		HttpOptions http = options.baseUrl(vertex.baseUrl()).build();
		if (http.retryOptions().isEmpty()) {
			http = http.toBuilder()
				.retryOptions(HttpRetryOptions.builder().attempts(1).httpStatusCodes(List.of()).build())
				.build();
		}
		Client client = Client.builder()
			.vertexAI(true)
			.project(PROJECT)
			.location(location)
			.credentials(credentials)
			.httpOptions(http)
			.build();
		clients.add(client);
		return client;
	}

	/** A raw POST to the emulator, with {@code Authorization: Bearer token} unless the token is null. */
	HttpResponse<String> post(String path, String body, String token) throws Exception {
		try (HttpClient http = HttpClient.newHttpClient()) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(vertex.baseUrl() + path))
				.POST(HttpRequest.BodyPublishers.ofString(body));
			if (token != null) {
				request.header("Authorization", "Bearer " + token);
			}
			return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
	}

	@Override
	public void close() {
		clients.forEach(Client::close);
	}
}
