package dev.kiln.platform.ratelimit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import dev.kiln.testing.KilnIntegrationTest;
import dev.kiln.testing.SettableClock;
import dev.kiln.testing.TestIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Token buckets and daily quotas against the real Redis: atomic under concurrency, refilled at the
 * configured rate, independent per subject, and failing open or closed as configured when Redis is
 * unreachable or silent.
 */
@KilnIntegrationTest
@TestPropertySource(properties = {
		"kiln.rate-limits.policies.burst.capacity=10", "kiln.rate-limits.policies.burst.refill=10",
		"kiln.rate-limits.policies.burst.period=1h", "kiln.rate-limits.policies.burst.when-redis-fails=open",
		"kiln.rate-limits.policies.fast.capacity=10", "kiln.rate-limits.policies.fast.refill=10",
		"kiln.rate-limits.policies.fast.period=500ms", "kiln.rate-limits.policies.fast.when-redis-fails=open",
		"kiln.rate-limits.policies.steady.capacity=10", "kiln.rate-limits.policies.steady.refill=1",
		"kiln.rate-limits.policies.steady.period=10s", "kiln.rate-limits.policies.steady.when-redis-fails=open",
		"kiln.rate-limits.policies.guarded.capacity=3", "kiln.rate-limits.policies.guarded.refill=3",
		"kiln.rate-limits.policies.guarded.period=1m", "kiln.rate-limits.policies.guarded.when-redis-fails=closed",
		"kiln.rate-limits.daily-generations.tiny=3", "kiln.rate-limits.daily-generations.small=5" })
class RateLimiterIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Autowired
	RateLimiter limiter;

	@Autowired
	DailyQuota quota;

	@Autowired
	RateLimitSettings settings;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Value("${spring.data.redis.host}")
	String redisHost;

	@Value("${spring.data.redis.port}")
	int redisPort;

	@Value("${spring.data.redis.database}")
	int redisDatabase;

	@Test
	void theDefaultPoliciesAndPlansAreConfigured() throws java.io.IOException {
		// bound from application.yml itself: the test environment raises auth-ip for the other tests
		RateLimitSettings settings = new org.springframework.boot.context.properties.bind.Binder(
				org.springframework.boot.context.properties.source.ConfigurationPropertySources.from(
						new org.springframework.boot.env.YamlPropertySourceLoader().load("application.yml",
								new org.springframework.core.io.ClassPathResource("application.yml"))))
			.bind("kiln.rate-limits", RateLimitSettings.class)
			.get();
		assertThat(settings.policy("api")).isEqualTo(new RateLimitSettings.Policy(60, 30, Duration.ofSeconds(1),
				RateLimitSettings.FailureMode.OPEN));
		assertThat(settings.policy("auth-ip")).isEqualTo(new RateLimitSettings.Policy(20, 20, Duration.ofMinutes(1),
				RateLimitSettings.FailureMode.OPEN));
		assertThat(settings.policy("login-account-address")).isEqualTo(new RateLimitSettings.Policy(5, 5,
				Duration.ofMinutes(15), RateLimitSettings.FailureMode.CLOSED));
		assertThat(settings.policy("login-account")).isEqualTo(new RateLimitSettings.Policy(50, 50,
				Duration.ofMinutes(15), RateLimitSettings.FailureMode.CLOSED));
		assertThat(settings.policy("address")).isEqualTo(new RateLimitSettings.Policy(600, 300, Duration.ofSeconds(1),
				RateLimitSettings.FailureMode.OPEN));
		assertThat(settings.dailyGenerations()).containsEntry("free", 50L)
			.containsEntry("starter", 500L)
			.containsEntry("pro", 5000L);
	}

	@Test
	void ofTwentyFiveConcurrentRequestsOnACapacityOfTenExactlyTenPass() {
		String subject = subject();

		List<RateLimit> results = concurrently(25, i -> limiter.consume("burst", subject));

		List<RateLimit> allowed = results.stream().filter(RateLimit::allowed).toList();
		assertThat(allowed).hasSize(10);
		assertThat(allowed).extracting(RateLimit::remaining)
			.containsExactlyInAnyOrder(9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L);
		assertThat(results).filteredOn(result -> !result.allowed())
			.hasSize(15)
			.allSatisfy(refused -> {
				assertThat(refused.remaining()).isZero();
				assertThat(refused.unavailable()).isFalse();
				// one token every 360 s
				assertThat(refused.retryAfterSeconds()).isBetween(350L, 360L);
			});
	}

	@Test
	void remainingResetAndRetryAfterDescribeTheBucket() {
		String subject = subject();

		RateLimit first = consume("steady", subject);
		assertThat(first).isEqualTo(new RateLimit("steady", true, 10, 9, 10, 0, 100, false));

		RateLimit last = first;
		for (int i = 0; i < 9; i++) {
			last = consume("steady", subject);
		}
		assertThat(last.allowed()).isTrue();
		assertThat(last.remaining()).isZero();
		// one token per 10 s, ten tokens short of full (a hair less: a little has refilled meanwhile)
		assertThat(last.resetSeconds()).isBetween(99L, 100L);

		RateLimit refused = consume("steady", subject);
		assertThat(refused.allowed()).isFalse();
		assertThat(refused.remaining()).isZero();
		assertThat(refused.retryAfterSeconds()).isBetween(9L, 10L);
		assertThat(refused.resetSeconds()).isBetween(99L, 100L);

		Duration ttl = redis.getExpire("kiln:rl:steady:" + subject).block(WAIT);
		assertThat(ttl).isBetween(Duration.ofSeconds(95), Duration.ofSeconds(102));
	}

	@Test
	void theBucketRefillsAtTheConfiguredRate() throws InterruptedException {
		// capacity 10, 10 tokens per 500 ms: one every 50 ms
		String subject = subject();
		long started = System.nanoTime();
		assertThat(concurrently(10, i -> limiter.consume("fast", subject))).allMatch(RateLimit::allowed);
		long drained = System.nanoTime();

		Thread.sleep(300);

		long refillStarted = System.nanoTime();
		long allowed = concurrently(10, i -> limiter.consume("fast", subject)).stream()
			.filter(RateLimit::allowed)
			.count();
		long finished = System.nanoTime();
		long atLeast = tokensIn(refillStarted - drained);
		long atMost = Math.min(10, tokensIn(finished - started));
		assertThat(atLeast).isGreaterThanOrEqualTo(6);
		assertThat(allowed).isBetween(atLeast, atMost);

		Thread.sleep(600);

		assertThat(consume("fast", subject).remaining()).as("full again after 500 ms, less this request")
			.isEqualTo(9);
	}

	@Test
	void subjectsAndPoliciesHaveBucketsOfTheirOwn() {
		String spender = subject();
		String other = subject();
		concurrently(10, i -> limiter.consume("burst", spender));

		assertThat(consume("burst", spender).allowed()).isFalse();
		RateLimit otherSubject = consume("burst", other);
		assertThat(otherSubject.allowed()).isTrue();
		assertThat(otherSubject.remaining()).isEqualTo(9);
		RateLimit otherPolicy = consume("steady", spender);
		assertThat(otherPolicy.allowed()).isTrue();
		assertThat(otherPolicy.remaining()).isEqualTo(9);
	}

	@Test
	void anUnknownPolicyOrABlankSubjectIsAProgrammingError() {
		assertThatThrownBy(() -> limiter.consume("nope", subject()).block(WAIT))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("'nope'");
		assertThatThrownBy(() -> limiter.consume("burst", " ").block(WAIT))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void whenRedisRefusesConnectionsOpenPoliciesAllowAndClosedOnesRefuse() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		LettuceConnectionFactory unreachable = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", closedPort));
		unreachable.afterPropertiesSet();
		unreachable.start();
		try {
			SimpleMeterRegistry meters = new SimpleMeterRegistry();
			ReactiveStringRedisTemplate template = new ReactiveStringRedisTemplate(unreachable);
			RateLimiter down = new RateLimiter(template, settings, meters);

			RateLimit open = down.consume("burst", subject()).block(WAIT);
			assertThat(open.allowed()).isTrue();
			assertThat(open.unavailable()).isTrue();

			RateLimit closed = down.consume("guarded", subject()).block(WAIT);
			assertThat(closed.allowed()).isFalse();
			assertThat(closed.unavailable()).isTrue();
			assertThat(closed.retryAfterSeconds()).isEqualTo(1);
			assertThat(new RateLimited(closed).getStatusCode().value()).isEqualTo(503);

			QuotaDecision quotaDown = new DailyQuota(template, settings, Clock.systemUTC(), meters)
				.consume("tiny", subject())
				.block(WAIT);
			assertThat(quotaDown.allowed()).isTrue();

			assertThat(failures(meters, "burst", "open")).isEqualTo(1);
			assertThat(failures(meters, "guarded", "closed")).isEqualTo(1);
			assertThat(failures(meters, DailyQuota.POLICY, "open")).isEqualTo(1);
		}
		finally {
			unreachable.destroy();
		}
	}

	@Test
	void whenRedisStopsAnsweringTheTimeoutDecidesWithinHalfASecond() throws IOException, InterruptedException {
		try (FreezableProxy proxy = new FreezableProxy(redisHost, redisPort)) {
			RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration("127.0.0.1", proxy.port());
			configuration.setDatabase(redisDatabase);
			LettuceConnectionFactory hanging = new LettuceConnectionFactory(configuration);
			hanging.afterPropertiesSet();
			hanging.start();
			try {
				SimpleMeterRegistry meters = new SimpleMeterRegistry();
				RateLimiter limiterBehindProxy = new RateLimiter(new ReactiveStringRedisTemplate(hanging), settings,
						meters);
				String subject = subject();
				RateLimit answered = limiterBehindProxy.consume("guarded", subject).block(WAIT);
				for (int i = 0; i < 50 && answered.unavailable(); i++) {
					// a busy machine may take longer than the deadline to open the first connection
					Thread.sleep(100);
					answered = limiterBehindProxy.consume("guarded", subject).block(WAIT);
				}
				assertThat(answered.allowed()).isTrue();
				assertThat(answered.unavailable()).isFalse();

				proxy.freeze();

				long started = System.nanoTime();
				RateLimit open = limiterBehindProxy.consume("burst", subject).block(WAIT);
				RateLimit closed = limiterBehindProxy.consume("guarded", subject).block(WAIT);
				Duration took = Duration.ofNanos(System.nanoTime() - started);

				assertThat(open.allowed()).isTrue();
				assertThat(open.unavailable()).isTrue();
				assertThat(closed.allowed()).isFalse();
				assertThat(closed.unavailable()).isTrue();
				assertThat(took).isBetween(Duration.ofMillis(1000), Duration.ofMillis(3000));
				assertThat(failures(meters, "burst", "open")).isGreaterThanOrEqualTo(1);
			}
			finally {
				proxy.close();
				hanging.destroy();
			}
		}
	}

	@Test
	void theDailyQuotaCountsToThePlansLimitThenRefusesWithoutCounting() {
		SettableClock clock = new SettableClock(Instant.parse("2026-03-10T12:00:00Z"));
		DailyQuota daily = new DailyQuota(redis, settings, clock, new SimpleMeterRegistry());
		String subject = subject();
		Instant midnight = Instant.parse("2026-03-11T00:00:00Z");

		assertThat(daily.consume("tiny", subject).block(WAIT)).isEqualTo(new QuotaDecision(true, 3, 1, midnight));
		assertThat(daily.consume("tiny", subject).block(WAIT)).isEqualTo(new QuotaDecision(true, 3, 2, midnight));
		assertThat(daily.consume("tiny", subject).block(WAIT)).isEqualTo(new QuotaDecision(true, 3, 3, midnight));
		assertThat(daily.consume("tiny", subject).block(WAIT)).isEqualTo(new QuotaDecision(false, 3, 3, midnight));
		assertThat(daily.consume("tiny", subject).block(WAIT)).isEqualTo(new QuotaDecision(false, 3, 3, midnight));

		String key = "kiln:quota:tiny:" + subject + ":20260310";
		assertThat(redis.opsForValue().get(key).block(WAIT)).isEqualTo("3");
		// twelve hours to midnight, plus the margin
		assertThat(redis.getExpire(key).block(WAIT)).isBetween(Duration.ofHours(12).plusMinutes(59),
				Duration.ofHours(13));
	}

	@Test
	void concurrentGenerationsNeverPassTheDailyLimitTogether() {
		String subject = subject();

		List<QuotaDecision> decisions = Flux.range(0, 12)
			.flatMap(i -> quota.consume("small", subject), 12)
			.collectList()
			.block(WAIT);

		assertThat(decisions).filteredOn(QuotaDecision::allowed)
			.extracting(QuotaDecision::used)
			.containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
		assertThat(decisions).filteredOn(decision -> !decision.allowed()).hasSize(7);
	}

	@Test
	void daysPlansAndSubjectsAreCountedApart() {
		SettableClock clock = new SettableClock(Instant.parse("2026-03-10T23:59:59Z"));
		DailyQuota daily = new DailyQuota(redis, settings, clock, new SimpleMeterRegistry());
		String subject = subject();
		for (int i = 0; i < 3; i++) {
			daily.consume("tiny", subject).block(WAIT);
		}
		assertThat(daily.consume("tiny", subject).block(WAIT).allowed()).isFalse();

		assertThat(daily.consume("small", subject).block(WAIT))
			.isEqualTo(new QuotaDecision(true, 5, 1, Instant.parse("2026-03-11T00:00:00Z")));
		assertThat(daily.consume("tiny", subject()).block(WAIT).used()).isEqualTo(1);

		clock.advance(Duration.ofSeconds(2));

		assertThat(daily.consume("tiny", subject).block(WAIT))
			.isEqualTo(new QuotaDecision(true, 3, 1, Instant.parse("2026-03-12T00:00:00Z")));
	}

	@Test
	void theQuotaBeanUsesTheConfiguredPlansAndRefusesUnknownOnes() {
		QuotaDecision free = quota.consume("free", subject()).block(WAIT);
		assertThat(free.allowed()).isTrue();
		assertThat(free.limit()).isEqualTo(50);
		assertThat(free.used()).isEqualTo(1);
		assertThat(free.remaining()).isEqualTo(49);

		assertThatThrownBy(() -> quota.consume("enterprise", subject()).block(WAIT))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("'enterprise'");
	}

	private RateLimit consume(String policy, String subject) {
		return limiter.consume(policy, subject).block(WAIT);
	}

	private static <T> List<T> concurrently(int count, Function<Integer, Mono<T>> call) {
		return Flux.range(0, count).flatMap(call, count).collectList().block(WAIT);
	}

	private static long tokensIn(long nanos) {
		return nanos / Duration.ofMillis(50).toNanos();
	}

	private static double failures(SimpleMeterRegistry meters, String policy, String mode) {
		return meters.counter(RedisFailures.COUNTER, "policy", policy, "when_redis_fails", mode).count();
	}

	private static String subject() {
		return "user:" + TestIds.uuid();
	}
}
