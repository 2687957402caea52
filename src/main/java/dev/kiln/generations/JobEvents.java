package dev.kiln.generations;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** Reading the job events that streams replay: by job and version, or by user and sequence. */
@Repository
class JobEvents {

	private final DatabaseClient db;

	JobEvents(DatabaseClient db) {
		this.db = db;
	}

	Flux<JobEvent> ofJob(UUID job, int afterVersion, int limit) {
		return db.sql("select * from job_events where job_id = :job and version > :after order by version limit :limit")
			.bind("job", job)
			.bind("after", afterVersion)
			.bind("limit", limit)
			.map(JobEvent::read)
			.all();
	}

	Flux<JobEvent> ofUser(UUID user, long afterSeq, int limit) {
		return db.sql("select * from job_events where user_id = :user and user_seq > :after order by user_seq limit :limit")
			.bind("user", user)
			.bind("after", afterSeq)
			.bind("limit", limit)
			.map(JobEvent::read)
			.all();
	}

	/**
	 * The user's sequence number and open jobs, read in one statement so they agree: every change
	 * after the number is a later event, every change up to it is in the jobs.
	 */
	Mono<UserSnapshot> snapshot(UUID user) {
		return db.sql("""
				select coalesce((select last_seq from job_event_counters where user_id = :user), 0) as cursor_seq, j.*
				from (select 1) as one
				left join generation_jobs j on j.user_id = :user and j.status in ('queued', 'dispatched', 'running')
				order by j.created_at, j.id""")
			.bind("user", user)
			.map(row -> new Row(row.get("cursor_seq", Long.class), row.get("id", UUID.class) == null ? null : Job.read(row)))
			.all()
			.collectList()
			.map(rows -> new UserSnapshot(rows.getFirst().cursorSeq(),
					rows.stream().map(Row::job).filter(job -> job != null).toList()));
	}

	/** The newest sequence number of each of these users that has any job event. */
	Flux<UserSeq> newest(Collection<UUID> users) {
		return db.sql("select user_id, last_seq from job_event_counters where user_id = any(:users)")
			.bind("users", users.toArray(UUID[]::new))
			.map(row -> new UserSeq(row.get("user_id", UUID.class), row.get("last_seq", Long.class)))
			.all();
	}

	record UserSnapshot(long seq, List<Job> openJobs) {
	}

	record UserSeq(UUID user, long seq) {
	}

	private record Row(long cursorSeq, @Nullable Job job) {
	}
}
