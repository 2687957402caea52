-- A job's transition as a function, so that a transition and the ledger operation it decides can run as
-- one statement (job_settle) instead of a transaction of four round trips (begin, move, post or void,
-- commit). job_move is the statement Jobs.move ran inline before: a compare-and-set on the status (and,
-- for progress reports, on the progress), the version bumped, the event appended and numbered in the
-- user's sequence. o_job is null when the job was in none of p_from: nothing changed.
create function job_move(p_id uuid, p_from text[], p_to text, p_progress integer, p_outputs jsonb, p_cost bigint,
                         p_failure_code text, p_failure_detail text, p_detail text, p_served_by text,
                         p_provider_cost bigint, p_provider_currency text, p_answer jsonb,
                         out o_event_seq bigint, out o_event_at timestamptz, out o_event_detail text,
                         out o_job generation_jobs)
    language plpgsql as $$
begin
    update generation_jobs set
        status = p_to, version = version + 1, updated_at = now(), last_seen_at = now(),
        progress = coalesce(p_progress, progress),
        outputs = coalesce(p_outputs, outputs),
        cost = coalesce(p_cost, cost),
        failure_code = coalesce(p_failure_code, failure_code),
        failure_detail = coalesce(p_failure_detail, failure_detail),
        served_by = coalesce(p_served_by, served_by),
        provider_cost = coalesce(p_provider_cost, provider_cost),
        provider_currency = coalesce(p_provider_currency, provider_currency),
        answer = coalesce(p_answer, answer),
        provider_job_id = case when p_to = 'queued' then null else provider_job_id end,
        dispatched_at = case when p_to = 'dispatched' then now() else dispatched_at end,
        started_at = case when p_to = 'running' then coalesce(started_at, now()) else started_at end,
        finished_at = case when p_to in ('succeeded', 'failed', 'canceled', 'expired') then now() else finished_at end
    where id = p_id and status = any(p_from)
      and (p_progress is null or progress < p_progress or status = 'dispatched')
    returning * into o_job;
    if not found then
        return;
    end if;
    -- the counter's row lock, held to commit, hands out the numbers in commit order
    insert into job_event_counters (user_id, last_seq) values (o_job.user_id, 1)
    on conflict (user_id) do update set last_seq = job_event_counters.last_seq + 1
    returning last_seq into o_event_seq;
    insert into job_events (job_id, version, status, progress, detail, user_id, user_seq)
    values (o_job.id, o_job.version, o_job.status, o_job.progress, p_detail, o_job.user_id, o_event_seq)
    returning created_at, detail into o_event_at, o_event_detail;
end $$;

-- A transition and its ledger operation, all or nothing: job_move, then p_ledger ('post' p_amount of the
-- job's hold, or 'void' it) under p_ledger_key. Lock order as everywhere: job row, event counter,
-- account. A post the ledger refuses (the hold expired: the job finished long after its deadline; or a
-- bug) raises KL500 with the refusal as the message, undoing the transition, so a job never succeeds
-- unpaid; a void's refusal (the hold expired already) changes nothing and is reported in o_ledger_outcome.
create function job_settle(p_id uuid, p_from text[], p_to text, p_progress integer, p_outputs jsonb, p_cost bigint,
                           p_failure_code text, p_failure_detail text, p_detail text, p_served_by text,
                           p_provider_cost bigint, p_provider_currency text, p_answer jsonb,
                           p_ledger text, p_ledger_key text, p_amount bigint, p_now timestamptz,
                           out o_event_seq bigint, out o_event_at timestamptz, out o_event_detail text,
                           out o_job generation_jobs, out o_ledger_outcome text, out o_ledger_replayed boolean)
    language plpgsql as $$
declare
    m record;
    r ledger_result;
begin
    select * into m from job_move(p_id, p_from, p_to, p_progress, p_outputs, p_cost, p_failure_code, p_failure_detail,
                                  p_detail, p_served_by, p_provider_cost, p_provider_currency, p_answer);
    if (m.o_job).id is null then
        return;
    end if;
    o_event_seq := m.o_event_seq;
    o_event_at := m.o_event_at;
    o_event_detail := m.o_event_detail;
    o_job := m.o_job;
    if p_ledger = 'post' then
        r := ledger_post(p_ledger_key, o_job.hold_id, p_amount, p_now);
        if r.outcome <> 'posted' then
            raise exception using errcode = 'KL500', message = r.outcome;
        end if;
    elsif p_ledger = 'void' then
        r := ledger_void(p_ledger_key, o_job.hold_id);
    else
        raise exception 'unknown ledger operation %', p_ledger using errcode = 'invalid_parameter_value';
    end if;
    o_ledger_outcome := r.outcome;
    o_ledger_replayed := r.replayed;
end $$;
