-- Monthly plans, refunds and disputes.
--
-- payment_transactions gains the rows of subscription invoices (kind 'invoice', one per paid invoice,
-- which is what makes "one grant per invoice" a unique constraint), the payment intent that links a
-- refunded or disputed charge back to its purchase, and what refunds took back.
alter table payment_transactions drop constraint payment_transactions_kind_check;
alter table payment_transactions add constraint payment_transactions_kind_check
    check (kind in ('pack', 'plan', 'invoice'));
alter table payment_transactions drop constraint payment_transactions_status_check;
-- a plan's checkout ends 'subscribed' (its invoices carry the credits); a lost dispute ends 'charged_back'
alter table payment_transactions add constraint payment_transactions_status_check
    check (status in ('pending', 'paid', 'subscribed', 'failed', 'expired', 'refunded', 'disputed', 'charged_back'));
-- an invoice paid in full by a coupon or credit balance still grants its period's credits
alter table payment_transactions drop constraint payment_transactions_amount_check;
alter table payment_transactions add constraint payment_transactions_amount_check check (amount >= 0);
alter table payment_transactions
    add column invoice_id          text unique,
    add column subscription_id     text,
    add column payment_intent      text,
    -- minor units the provider gave back (refunds, a lost dispute), and the credits that answer for them:
    -- taken back from available credits, or written off where the user had already spent them
    add column refunded_amount     bigint not null default 0 check (refunded_amount >= 0),
    add column credits_clawed_back bigint not null default 0 check (credits_clawed_back >= 0),
    add column credits_written_off bigint not null default 0 check (credits_written_off >= 0),
    add check (credits_clawed_back + credits_written_off <= credits);
create index payment_transactions_intent on payment_transactions (provider, payment_intent) where payment_intent is not null;

-- The provider's subscriptions, as last read from the provider (never from an event's own copy, so
-- that events delivered out of order still end in the provider's current state).
create table subscriptions (
    provider            text        not null,
    subscription_id     text        not null,
    user_id             uuid        not null references users (id),
    plan_id             text        not null,
    status              text        not null,
    current_period_end  timestamptz,
    cancel_at_period_end boolean    not null default false,
    updated_at          timestamptz not null default now(),
    primary key (provider, subscription_id)
);
create index subscriptions_user on subscriptions (user_id);

-- Why an account may not start new spending for now: an unpaid subscription invoice (released when it
-- is paid) or an open dispute (released when it closes). Holds check it in the same statement that
-- locks the account row, so no path to spending can miss it; posts and voids of earlier holds go on.
create table spending_locks (
    account_id uuid        not null references credit_accounts (id),
    reason     text        not null check (reason in ('payment_overdue', 'payment_disputed')),
    reference  text        not null,  -- the invoice or dispute
    created_at timestamptz not null default now(),
    primary key (account_id, reason, reference)
);

create or replace function ledger_hold(p_key text, p_account uuid, p_amount bigint, p_deadline timestamptz, p_memo text,
                                       p_job uuid, p_now timestamptz)
    returns ledger_result language plpgsql as $$
declare
    v_available bigint;
    v_held      bigint;
    v_hold      uuid;
    v_status    text;
    v_lock      text;
    r           ledger_result;
begin
    perform ledger_require_positive(p_amount);
    select a.available, u.status,
           (select l.reason from spending_locks l where l.account_id = a.id order by l.created_at limit 1)
      into v_available, v_status, v_lock
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
    if v_lock is not null then
        return ledger_reject(p_key, 'hold', p_account, null, p_amount, v_lock);
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

-- Takes back up to p_amount from what is available, never from held credits (they pay for work in
-- flight) and never below zero; the result's amount says how much was taken (0 moves nothing and
-- writes no entry). A retry with the same key returns the first outcome.
create function ledger_claw_back(p_key text, p_account uuid, p_amount bigint, p_memo text, p_payment_ref text)
    returns ledger_result language plpgsql as $$
declare
    v_available bigint;
    v_held      bigint;
    v_take      bigint;
    e           balance_ledger;
begin
    perform ledger_require_positive(p_amount);
    select available, held into v_available, v_held from credit_accounts where id = p_account for update;
    select * into e from balance_ledger where idempotency_key = p_key;
    if found then
        if e.entry_type <> 'debit' or e.account_id <> p_account or -e.amount > p_amount
            or e.payment_ref is distinct from p_payment_ref then
            return row ('key_reused', true, null, null, 0, null, null)::ledger_result;
        end if;
        return row ('debited', true, null, -e.amount, 0, e.available_after, e.held_after)::ledger_result;
    end if;
    if v_available is null then
        return ledger_reject(p_key, 'debit', p_account, null, p_amount, 'unknown_account');
    end if;
    v_take := least(v_available, p_amount);
    if v_take = 0 then
        return row ('debited', false, null, 0, 0, v_available, v_held)::ledger_result;
    end if;
    update credit_accounts set available = available - v_take, updated_at = now()
     where id = p_account returning available, held into v_available, v_held;
    insert into balance_ledger (account_id, entry_type, available_change, held_change, available_after, held_after,
                                payment_ref, memo, idempotency_key)
    values (p_account, 'debit', -v_take, 0, v_available, v_held, p_payment_ref, p_memo, p_key);
    return row ('debited', false, null, v_take, 0, v_available, v_held)::ledger_result;
end $$;
