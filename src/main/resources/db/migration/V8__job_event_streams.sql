-- Live job status (SSE). Each user's job events get a per-user sequence, handed out in commit order:
-- the counter row is locked by the transaction that appends the event until it commits, so a stream
-- that resumes "after sequence n" can never skip an event that committed late.
create table job_event_counters (
    user_id  uuid   primary key references users (id),
    last_seq bigint not null check (last_seq >= 0)
);

alter table job_events add column user_id uuid references users (id);
alter table job_events add column user_seq bigint;

update job_events e set user_id = j.user_id from generation_jobs j where j.id = e.job_id;
update job_events e set user_seq = numbered.seq
from (select job_id, version,
             row_number() over (partition by user_id order by created_at, job_id, version) as seq
      from job_events) numbered
where numbered.job_id = e.job_id and numbered.version = e.version;
insert into job_event_counters (user_id, last_seq)
select user_id, max(user_seq) from job_events group by user_id;

alter table job_events alter column user_id set not null;
alter table job_events alter column user_seq set not null;
create unique index job_events_user_seq on job_events (user_id, user_seq);

-- History filtered by status, newest first.
create index generation_jobs_user_status_page on generation_jobs (user_id, status, created_at desc, id desc);
