package dev.kiln.platform.web;

import java.time.Duration;
import java.util.List;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/** The request id reaches every log line of its request, whichever thread writes it. */
@KilnIntegrationTest
@Import(RequestIdLoggingIntegrationTests.LoggingController.class)
@ExtendWith(OutputCaptureExtension.class)
@Isolated("output capture swaps the JVM-wide System.out, which a class running alongside would swap back")
class RequestIdLoggingIntegrationTests {

	@Autowired
	WebTestClient web;

	@Test
	void everyLogLineOfARequestCarriesItsId(CapturedOutput output) {
		WebTestClient web = TestUsers.signUpAndLogIn(this.web).as(this.web);
		web.get().uri("/test/logging").header("X-Request-Id", "trace-me-1").exchange().expectStatus().isOk();
		web.get().uri("/test/logging/broken").header("X-Request-Id", "trace-me-2").exchange()
			.expectStatus().isEqualTo(500);

		List<String> first = lines(output, "logging-sample trace-me-1");
		List<String> second = lines(output, "unexpected error on GET /test/logging/broken");
		assertThat(first).hasSize(3).allSatisfy(line -> assertThat(line).contains("[trace-me-1]"));
		assertThat(second).hasSize(1).allSatisfy(line -> assertThat(line).contains("[trace-me-2]"));
	}

	private static List<String> lines(CapturedOutput output, String marker) {
		return output.getOut().lines().filter(line -> line.contains(marker)).toList();
	}

	@RestController
	static class LoggingController {

		private static final Logger log = LoggerFactory.getLogger(LoggingController.class);

		@GetMapping("/test/logging")
		Mono<String> logging() {
			log.info("logging-sample trace-me-1 on the event loop");
			return Mono.delay(Duration.ofMillis(5))
				.doOnNext(tick -> log.info("logging-sample trace-me-1 on a timer thread"))
				.publishOn(Schedulers.boundedElastic())
				.map(tick -> {
					log.info("logging-sample trace-me-1 on a worker thread");
					return "ok";
				});
		}

		@GetMapping("/test/logging/broken")
		Mono<String> broken() {
			return Mono.error(new IllegalStateException("boom"));
		}
	}
}
