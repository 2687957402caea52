package dev.kiln.platform.scheduling;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.kiln.testing.KilnIntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/** One replica at a time, against the real PostgreSQL; the job's steps are not held in the lock's transaction. */
@KilnIntegrationTest
class OneReplicaIntegrationTests {

	private static final long LOCK = 0x6b696c6e_74657374L; // "kilntest"

	@Autowired
	OneReplica oneReplica;

	@Autowired
	DatabaseClient db;

	@Test
	void aRunKeepsOtherReplicasOutButEachOfItsStepsCommitsAtOnce() throws Exception {
		db.sql("create table one_replica_probe (id integer primary key, n integer not null)").then().block();
		db.sql("insert into one_replica_probe values (1, 0)").then().block();
		Sinks.Empty<Void> finish = Sinks.empty();
		CompletableFuture<String> running = oneReplica.run(LOCK,
				db.sql("update one_replica_probe set n = n + 1 where id = 1").then().then(finish.asMono()).thenReturn("ran"))
			.toFuture();

		// seen from another connection while the run goes on: committed, and the row no longer locked
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> probe("select n from one_replica_probe where id = 1") == 1);
		assertThat(probe("select n from one_replica_probe where id = 1 for update nowait")).isEqualTo(1);
		assertThat(oneReplica.run(LOCK, Mono.just("another replica")).blockOptional()).isEmpty();

		finish.tryEmitEmpty();
		assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
		assertThat(oneReplica.run(LOCK, Mono.just("the next run")).block()).isEqualTo("the next run");
	}

	private int probe(String sql) {
		return db.sql(sql).map(row -> row.get("n", Integer.class)).one().block();
	}
}
