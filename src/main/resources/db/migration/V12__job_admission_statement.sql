-- A job's admission as one statement: one round trip and its own transaction (when the caller has
-- none), where it was a transaction of seven round trips (begin, key lock, key read, hold, job and
-- event, outbox row, commit). Every step is the one the application ran before, in the same order, so
-- the lock order stays: the user's event counter, then the credit account (see Jobs.move and
-- ledger_hold).
--
-- Outcomes: 'admitted' (o_job is the new job, o_event_seq and o_event_at its first event), 'replayed'
-- (o_job is the job first admitted under the key; the caller compares request hashes), 'in_progress'
-- (a twin under the same key holds the key's lock) and 'refused' (o_refusal is the ledger's reason).
-- Nothing of a refused admission stays, not even the ledger's record of the refusal, as with the
-- rolled-back transaction this replaces: the counter and the hold run in a block whose exception
-- handler undoes them (a subtransaction; raising out of the statement instead would also undo them,
-- but would write an ERROR line to the server's log for every 402).
create function admit_job(p_id uuid, p_user uuid, p_key text, p_hash text, p_kind text, p_workflow text,
                          p_request jsonb, p_price bigint, p_provider text, p_endpoint text, p_status text,
                          p_deadline timestamptz, p_hold_deadline timestamptz, p_memo text, p_now timestamptz,
                          p_topic text, p_message_key text, p_payload text,
                          out o_outcome text, out o_refusal text, out o_event_seq bigint,
                          out o_event_at timestamptz, out o_job generation_jobs)
    language plpgsql as $$
declare
    v_hold ledger_result;
begin
    -- held to the end of the transaction: a twin of this request meanwhile is told to come back
    if not pg_try_advisory_xact_lock(hashtextextended('generation:' || p_user || ':' || p_key, 0)) then
        o_outcome := 'in_progress';
        return;
    end if;
    select * into o_job from generation_jobs where user_id = p_user and idempotency_key = p_key;
    if found then
        o_outcome := 'replayed';
        return;
    end if;
    begin
        -- the user's event counter before the account, as every transaction that appends an event
        insert into job_event_counters (user_id, last_seq) values (p_user, 0)
        on conflict (user_id) do update set last_seq = job_event_counters.last_seq;
        v_hold := ledger_hold('job:' || p_id || ':hold', p_user, p_price, p_hold_deadline, p_memo, p_id, p_now);
        if v_hold.outcome <> 'held' then
            raise exception using errcode = 'KL402';
        end if;
    exception when sqlstate 'KL402' then
        o_outcome := 'refused';
        o_refusal := v_hold.outcome;
        return;
    end;
    insert into generation_jobs (id, user_id, kind, workflow, request, request_hash, idempotency_key, price, hold_id,
                                 provider, provider_endpoint, deadline, status, started_at)
    values (p_id, p_user, p_kind, p_workflow, p_request, p_hash, p_key, p_price, v_hold.hold_id, p_provider,
            p_endpoint, p_deadline, p_status, case when p_status = 'running' then now() end)
    returning * into o_job;
    update job_event_counters set last_seq = last_seq + 1 where user_id = p_user returning last_seq into o_event_seq;
    insert into job_events (job_id, version, status, progress, detail, user_id, user_seq)
    values (o_job.id, o_job.version, o_job.status, o_job.progress, null, p_user, o_event_seq)
    returning created_at into o_event_at;
    if p_topic is not null then
        insert into outbox (topic, message_key, payload) values (p_topic, p_message_key, p_payload);
    end if;
    o_outcome := 'admitted';
end $$;
