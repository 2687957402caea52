-- The capacity claims waiting on a replica as one statement instead of a transaction of six round trips
-- (begin, the endpoint's lock, the jobs' row locks, the count, the moves, the read of the jobs left
-- without a slot, commit), which under load made each claim batch wait for the cores six times.
-- The steps are those CapacityClaims ran, in the same order and lock order: the endpoint's advisory lock
-- (shared by every replica: the count is only true under it), every listed job row, the count, then
-- job_move to 'dispatched' in the order listed while slots remain. A job listed twice moves for its
-- first claim only. The rows are locked first, in id order, before any user's event counter, as in
-- every transition (job row, counter, account): moving the jobs one by one would hold a user's counter
-- after the first of their jobs while waiting for the row of the next, which a transition of that job
-- may hold while it waits for the counter, a deadlock.
-- One row per listed id, by position: 'claimed' (o_job and its event set), 'full' (still queued, no
-- slot left) or 'not_queued' (no longer queued, or unknown: nothing to do).
create function claim_capacity(p_lock text, p_endpoint text, p_ids uuid[], p_max_in_flight bigint, p_detail text)
    returns table (o_position bigint, o_outcome text, o_event_seq bigint, o_event_at timestamptz,
                   o_event_detail text, o_job generation_jobs)
    language plpgsql as $$
declare
    v_free bigint;
    v_listed record;
    v_move record;
begin
    perform pg_advisory_xact_lock(hashtextextended(p_lock, 0));
    perform 1 from generation_jobs where id = any(p_ids) order by id for update;
    select p_max_in_flight - count(*) into v_free from generation_jobs
    where provider_endpoint = p_endpoint and status in ('dispatched', 'running');
    for v_listed in select listed.id, listed.position from unnest(p_ids) with ordinality as listed(id, position)
                    order by listed.position loop
        o_position := v_listed.position;
        o_event_seq := null;
        o_event_at := null;
        o_event_detail := null;
        o_job := null;
        if v_free > 0 then
            select * into v_move from job_move(v_listed.id, array['queued'], 'dispatched', null, null, null, null, null,
                                               p_detail, null, null, null, null);
            if (v_move.o_job).id is not null then
                v_free := v_free - 1;
                o_outcome := 'claimed';
                o_event_seq := v_move.o_event_seq;
                o_event_at := v_move.o_event_at;
                o_event_detail := v_move.o_event_detail;
                o_job := v_move.o_job;
            else
                o_outcome := 'not_queued';
            end if;
        elsif exists (select 1 from generation_jobs where id = v_listed.id and status = 'queued') then
            o_outcome := 'full';
        else
            o_outcome := 'not_queued';
        end if;
        return next;
    end loop;
end $$;
