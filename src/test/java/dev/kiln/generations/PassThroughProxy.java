package dev.kiln.generations;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * The cheapest HTTP gateway this JVM can run: every request is forwarded, path, authorization and
 * body as they came, to {@code upstream} and its answer sent back, with no parsing, no credentials of
 * its own and no state. The benchmarks measure it beside Kiln to show what one more hop costs here.
 */
final class PassThroughProxy {

	static DisposableServer start(HttpClient client, String upstream) {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> client
				.headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE))
					.set(HttpHeaderNames.AUTHORIZATION, request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION)))
				.post()
				.uri(upstream + request.uri())
				.send(request.receive().retain())
				.responseSingle((answer, body) -> body.asByteArray()
					.defaultIfEmpty(new byte[0])
					.flatMap(bytes -> response.status(answer.status())
						.header(HttpHeaderNames.CONTENT_TYPE, answer.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE, "application/json"))
						.sendByteArray(Mono.just(bytes))
						.then())))
			.bindNow();
	}

	private PassThroughProxy() {
	}
}
