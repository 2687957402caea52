package dev.kiln.generations;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * A minimal HTTP gateway in this JVM: every request is forwarded, path, authorization and body as they
 * came, to {@code upstream} and its answer sent back, with no parsing, no credentials of its own and no
 * state (bodies are read whole, as Kiln reads its small JSON ones). The benchmarks measure it beside
 * Kiln to show what one more Reactor Netty hop costs here, sharing the JVM with the client and emulator.
 */
final class PassThroughProxy {

	static DisposableServer start(HttpClient client, String upstream) {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> request.receive()
				.aggregate()
				.asByteArray()
				.defaultIfEmpty(new byte[0])
				.flatMap(body -> client.headers(headers -> copy(request.requestHeaders(), headers))
					.post()
					.uri(upstream + request.uri())
					.send(ByteBufFlux.fromInbound(Mono.just(body)))
					.responseSingle((answer, content) -> content.asByteArray()
						.defaultIfEmpty(new byte[0])
						.map(bytes -> new Answer(answer.status(), answer.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE), bytes))))
				.flatMap(answer -> {
					response.status(answer.status());
					if (answer.contentType() != null) {
						response.header(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
					}
					return response.sendByteArray(Mono.just(answer.body())).then();
				}))
			.bindNow();
	}

	private static void copy(HttpHeaders from, HttpHeaders to) {
		for (CharSequence name : new CharSequence[] { HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.AUTHORIZATION }) {
			String value = from.get(name);
			if (value != null) {
				to.set(name, value);
			}
		}
	}

	private record Answer(HttpResponseStatus status, @Nullable String contentType, byte[] body) {
	}

	private PassThroughProxy() {
	}
}
