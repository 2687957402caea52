-- Generations: one row per job, its timeline, and the outbox that hands jobs to Kafka.
--
-- Every transition is a compare-and-set on status in the same transaction as its credit operation
-- and a job_events row; version counts the changes, so each event has a per-job monotonic number.
create table generation_jobs (
    id               uuid primary key,
    user_id          uuid        not null references users (id),
    kind             text        not null check (kind in ('video', 'image', 'text')),
    workflow         text,
    request          jsonb       not null,  -- the validated request: prompt and parameters
    request_hash     text        not null,  -- of the canonical request, to tell a retry from a reused key
    idempotency_key  text        not null,
    status           text        not null default 'queued'
                     check (status in ('queued', 'dispatched', 'running', 'succeeded', 'failed', 'canceled', 'expired')),
    price            bigint      not null check (price > 0),  -- credits held at admission
    cost             bigint      check (cost >= 0),           -- credits posted on success
    hold_id          uuid        not null references credit_holds (id),
    provider         text        not null,
    provider_endpoint text,
    provider_job_id  text,
    progress         integer     not null default 0 check (progress between 0 and 100),
    outputs          jsonb,      -- [{name, key, content_type, size}] once succeeded
    failure_code     text,
    failure_detail   text,
    version          integer     not null default 1,
    deadline         timestamptz not null,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    dispatched_at    timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    last_seen_at     timestamptz,  -- the provider's last sign of life (accept, progress, status)
    unique (user_id, idempotency_key)
);
create index generation_jobs_user_page on generation_jobs (user_id, created_at desc, id desc);
create index generation_jobs_in_flight on generation_jobs (provider_endpoint, status)
    where status in ('dispatched', 'running');
create index generation_jobs_open_deadline on generation_jobs (deadline)
    where status in ('queued', 'dispatched', 'running');

create table job_events (
    job_id     uuid        not null references generation_jobs (id),
    version    integer     not null,
    status     text        not null,
    progress   integer     not null,
    detail     text,
    created_at timestamptz not null default now(),
    primary key (job_id, version)
);

-- Messages to publish, written in the transaction that decided them; the relay publishes them at
-- least once and marks them published.
create table outbox (
    id           bigint generated always as identity primary key,
    topic        text        not null,
    message_key  text        not null,
    payload      text        not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz,
    attempts     integer     not null default 0
);
create index outbox_unpublished on outbox (id) where published_at is null;

create function outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('kiln_outbox', '');
    return null;
end $$;

create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();
