-- Every ledger operation is one function call: one round trip and one transaction (or part of the
-- caller's), so an account row stays locked only for the time the server needs to run the body.
--
-- Each function takes the account row lock first, then looks the idempotency key up. A concurrent
-- duplicate therefore waits on the lock and, once the first commits, sees its outcome (every
-- statement of a volatile function in READ COMMITTED takes a fresh snapshot) and returns it as a
-- replay. Outcomes are names, never booleans: held, posted, voided, credited, debited, expired, or a
-- rejection (insufficient_credits, already_posted, already_voided, expired, exceeds_hold,
-- unknown_hold, unknown_account, key_reused).

create type ledger_result as (
    outcome   text,
    replayed  boolean,
    hold_id   uuid,
    amount    bigint,  -- held, posted, credited or debited
    released  bigint,  -- returned from held to available by a post or void
    available bigint,  -- balances after the operation (null for rejections)
    held      bigint
);

create function ledger_reject(p_key text, p_operation text, p_account uuid, p_hold uuid, p_amount bigint, p_outcome text)
    returns ledger_result language sql as $$
    insert into credit_rejections (idempotency_key, operation, account_id, hold_id, amount, outcome)
    values (p_key, p_operation, p_account, p_hold, p_amount, p_outcome);
    select row (p_outcome, false, p_hold, p_amount, 0, null, null)::ledger_result;
$$;

-- The first outcome recorded under p_key, or null when the key is new. A key reused for another
-- operation or other arguments is refused as key_reused: the first outcome stands.
create function ledger_replay(p_key text, p_operation text, p_account uuid, p_hold uuid, p_amount bigint,
                              p_job uuid default null, p_payment text default null)
    returns ledger_result language plpgsql as $$
declare
    e balance_ledger;
    r credit_rejections;
begin
    select * into e from balance_ledger where idempotency_key = p_key;
    if found then
        if e.entry_type <> p_operation
            or (p_operation in ('hold', 'credit', 'debit') and e.account_id <> p_account)
            or (p_operation in ('post', 'void') and e.hold_id is distinct from p_hold)
            or (p_operation = 'hold' and e.held_change <> p_amount)
            or (p_operation in ('post', 'debit') and -e.amount <> p_amount)
            or (p_operation = 'credit' and e.amount <> p_amount)
            or (p_operation = 'hold' and e.job_id is distinct from p_job)
            or (p_operation in ('credit', 'debit') and e.payment_ref is distinct from p_payment) then
            return row ('key_reused', true, null, null, 0, null, null)::ledger_result;
        end if;
        return row (case e.entry_type when 'hold' then 'held' when 'post' then 'posted' when 'void' then 'voided'
                                      when 'credit' then 'credited' else 'debited' end,
                    true, e.hold_id,
                    case e.entry_type when 'hold' then e.held_change when 'void' then 0 else abs(e.amount) end,
                    case when e.entry_type in ('post', 'void') then e.available_change else 0 end,
                    e.available_after, e.held_after)::ledger_result;
    end if;
    select * into r from credit_rejections where idempotency_key = p_key;
    if found then
        if r.operation <> p_operation
            or r.account_id is distinct from p_account and r.account_id is not null and p_account is not null
            or r.hold_id is distinct from p_hold
            or r.amount is distinct from p_amount then
            return row ('key_reused', true, null, null, 0, null, null)::ledger_result;
        end if;
        return row (r.outcome, true, r.hold_id, r.amount, 0, null, null)::ledger_result;
    end if;
    return null;
end $$;

create function ledger_require_positive(p_amount bigint) returns void language plpgsql immutable as $$
begin
    if p_amount is null or p_amount <= 0 then
        raise exception 'amount must be positive, was %', p_amount using errcode = 'invalid_parameter_value';
    end if;
end $$;

create function ledger_credit(p_key text, p_account uuid, p_amount bigint, p_memo text, p_payment_ref text)
    returns ledger_result language plpgsql as $$
declare
    v_available bigint;
    v_held      bigint;
    r           ledger_result;
begin
    perform ledger_require_positive(p_amount);
    perform 1 from credit_accounts where id = p_account for update;
    r := ledger_replay(p_key, 'credit', p_account, null, p_amount, null, p_payment_ref);
    if r.outcome is not null then return r; end if;
    update credit_accounts set available = available + p_amount, updated_at = now()
     where id = p_account returning available, held into v_available, v_held;
    if not found then
        return ledger_reject(p_key, 'credit', p_account, null, p_amount, 'unknown_account');
    end if;
    insert into balance_ledger (account_id, entry_type, available_change, held_change, available_after, held_after,
                                payment_ref, memo, idempotency_key)
    values (p_account, 'credit', p_amount, 0, v_available, v_held, p_payment_ref, p_memo, p_key);
    return row ('credited', false, null, p_amount, 0, v_available, v_held)::ledger_result;
end $$;

create function ledger_debit(p_key text, p_account uuid, p_amount bigint, p_memo text, p_payment_ref text)
    returns ledger_result language plpgsql as $$
declare
    v_available bigint;
    v_held      bigint;
    r           ledger_result;
begin
    perform ledger_require_positive(p_amount);
    select available into v_available from credit_accounts where id = p_account for update;
    r := ledger_replay(p_key, 'debit', p_account, null, p_amount, null, p_payment_ref);
    if r.outcome is not null then return r; end if;
    if v_available is null then
        return ledger_reject(p_key, 'debit', p_account, null, p_amount, 'unknown_account');
    end if;
    if v_available < p_amount then
        return ledger_reject(p_key, 'debit', p_account, null, p_amount, 'insufficient_credits');
    end if;
    update credit_accounts set available = available - p_amount, updated_at = now()
     where id = p_account returning available, held into v_available, v_held;
    insert into balance_ledger (account_id, entry_type, available_change, held_change, available_after, held_after,
                                payment_ref, memo, idempotency_key)
    values (p_account, 'debit', -p_amount, 0, v_available, v_held, p_payment_ref, p_memo, p_key);
    return row ('debited', false, null, p_amount, 0, v_available, v_held)::ledger_result;
end $$;

-- A deadline already past is a caller's mistake, raised rather than recorded; it is checked after the
-- replay, so a retry of a hold made earlier still gets its first outcome once the deadline has passed.
-- A suspended user cannot spend: every hold checks the owner's status, whatever path asks for it.
create function ledger_hold(p_key text, p_account uuid, p_amount bigint, p_deadline timestamptz, p_memo text,
                            p_job uuid, p_now timestamptz)
    returns ledger_result language plpgsql as $$
declare
    v_available bigint;
    v_held      bigint;
    v_hold      uuid;
    v_status    text;
    r           ledger_result;
begin
    perform ledger_require_positive(p_amount);
    select a.available, u.status into v_available, v_status
      from credit_accounts a join users u on u.id = a.id
     where a.id = p_account for update of a;
    r := ledger_replay(p_key, 'hold', p_account, null, p_amount, p_job, null);
    if r.outcome is not null then return r; end if;
    if p_deadline <= p_now then
        raise exception 'a hold''s deadline must be in the future' using errcode = 'invalid_parameter_value';
    end if;
    if v_available is null then
        return ledger_reject(p_key, 'hold', p_account, null, p_amount, 'unknown_account');
    end if;
    if v_status <> 'active' then
        return ledger_reject(p_key, 'hold', p_account, null, p_amount, 'account_suspended');
    end if;
    if v_available < p_amount then
        return ledger_reject(p_key, 'hold', p_account, null, p_amount, 'insufficient_credits');
    end if;
    update credit_accounts set available = available - p_amount, held = held + p_amount, updated_at = now()
     where id = p_account returning available, held into v_available, v_held;
    insert into credit_holds (account_id, amount, memo, job_id, deadline)
    values (p_account, p_amount, p_memo, p_job, p_deadline) returning id into v_hold;
    insert into balance_ledger (account_id, entry_type, available_change, held_change, available_after, held_after,
                                hold_id, job_id, memo, idempotency_key)
    values (p_account, 'hold', -p_amount, p_amount, v_available, v_held, v_hold, p_job, p_memo, p_key);
    return row ('held', false, v_hold, p_amount, 0, v_available, v_held)::ledger_result;
end $$;

-- Returns a pending hold's credits to available and marks it p_status (voided or expired).
-- The caller holds the account and hold row locks and has checked the hold is pending.
create function ledger_release(h credit_holds, p_status text, p_key text) returns ledger_result
    language plpgsql as $$
declare
    v_available bigint;
    v_held      bigint;
begin
    update credit_accounts set available = available + h.amount, held = held - h.amount, updated_at = now()
     where id = h.account_id returning available, held into v_available, v_held;
    update credit_holds set status = p_status, resolved_at = now() where id = h.id;
    insert into balance_ledger (account_id, entry_type, available_change, held_change, available_after, held_after,
                                hold_id, job_id, memo, idempotency_key)
    values (h.account_id, case p_status when 'voided' then 'void' else 'expire' end, h.amount, -h.amount,
            v_available, v_held, h.id, h.job_id, h.memo, p_key);
    return row (p_status, false, h.id, 0, h.amount, v_available, v_held)::ledger_result;
end $$;

-- Locks the hold's account, then the hold (always in that order, like every other operation, so
-- two operations can never wait on each other in a cycle). Null when the hold is unknown.
create function ledger_lock_hold(p_hold uuid) returns credit_holds language plpgsql as $$
declare
    h credit_holds;
begin
    perform 1 from credit_accounts where id = (select account_id from credit_holds where id = p_hold) for update;
    select * into h from credit_holds where id = p_hold for update;
    return h;
end $$;

create function ledger_settled(h credit_holds) returns text language sql immutable as $$
    select case h.status when 'posted' then 'already_posted' when 'voided' then 'already_voided' else 'expired' end;
$$;

create function ledger_post(p_key text, p_hold uuid, p_amount bigint, p_now timestamptz)
    returns ledger_result language plpgsql as $$
declare
    h           credit_holds;
    v_available bigint;
    v_held      bigint;
    r           ledger_result;
begin
    if p_amount is null or p_amount < 0 then
        raise exception 'posted amount must be zero or more, was %', p_amount using errcode = 'invalid_parameter_value';
    end if;
    h := ledger_lock_hold(p_hold);
    r := ledger_replay(p_key, 'post', h.account_id, p_hold, p_amount);
    if r.outcome is not null then return r; end if;
    if h.id is null then
        return ledger_reject(p_key, 'post', null, p_hold, p_amount, 'unknown_hold');
    end if;
    if h.status <> 'pending' then
        return ledger_reject(p_key, 'post', h.account_id, p_hold, p_amount, ledger_settled(h));
    end if;
    if h.deadline <= p_now then
        -- Too late to capture: expire it now rather than leave it for the reconciler's sweep.
        perform ledger_release(h, 'expired', 'expire/' || h.id);
        return ledger_reject(p_key, 'post', h.account_id, p_hold, p_amount, 'expired');
    end if;
    if p_amount > h.amount then
        return ledger_reject(p_key, 'post', h.account_id, p_hold, p_amount, 'exceeds_hold');
    end if;
    update credit_accounts set available = available + (h.amount - p_amount), held = held - h.amount, updated_at = now()
     where id = h.account_id returning available, held into v_available, v_held;
    update credit_holds set status = 'posted', posted_amount = p_amount, resolved_at = now() where id = h.id;
    insert into balance_ledger (account_id, entry_type, available_change, held_change, available_after, held_after,
                                hold_id, job_id, memo, idempotency_key)
    values (h.account_id, 'post', h.amount - p_amount, -h.amount, v_available, v_held, h.id, h.job_id, h.memo, p_key);
    return row ('posted', false, h.id, p_amount, h.amount - p_amount, v_available, v_held)::ledger_result;
end $$;

-- A pending hold can be voided even past its deadline: either way its credits go back.
create function ledger_void(p_key text, p_hold uuid) returns ledger_result language plpgsql as $$
declare
    h ledger_result;
    k credit_holds;
    r ledger_result;
begin
    k := ledger_lock_hold(p_hold);
    r := ledger_replay(p_key, 'void', k.account_id, p_hold, null);
    if r.outcome is not null then return r; end if;
    if k.id is null then
        return ledger_reject(p_key, 'void', null, p_hold, null, 'unknown_hold');
    end if;
    if k.status <> 'pending' then
        return ledger_reject(p_key, 'void', k.account_id, p_hold, null, ledger_settled(k));
    end if;
    h := ledger_release(k, 'voided', p_key);
    return h;
end $$;

-- The reconciler's expiry of one overdue hold. Keyed by the hold itself, so it happens once.
create function ledger_expire(p_hold uuid, p_now timestamptz) returns ledger_result language plpgsql as $$
declare
    h credit_holds;
begin
    h := ledger_lock_hold(p_hold);
    if h.id is null then
        return row ('unknown_hold', false, p_hold, null, 0, null, null)::ledger_result;
    end if;
    if h.status <> 'pending' then
        return row (ledger_settled(h), false, p_hold, null, 0, null, null)::ledger_result;
    end if;
    if h.deadline > p_now then
        return row ('not_due', false, p_hold, null, 0, null, null)::ledger_result;
    end if;
    return ledger_release(h, 'expired', 'expire/' || h.id);
end $$;
