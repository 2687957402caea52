-- Two-phase credit holds (TigerBeetle's vocabulary): hold reserves, post captures (partially
-- allowed, the rest is released), void releases, expire is a void done by the reconciler.
create table credit_holds (
    id            uuid primary key default gen_random_uuid(),
    account_id    uuid        not null references credit_accounts (id),
    amount        bigint      not null check (amount > 0),
    posted_amount bigint      check (posted_amount >= 0 and posted_amount <= amount),
    status        text        not null default 'pending'
                              check (status in ('pending', 'posted', 'voided', 'expired')),
    memo          text        not null,          -- what the hold pays for, for people reading it
    job_id        uuid,                          -- the generation it pays for, when there is one
    deadline      timestamptz not null,
    created_at    timestamptz not null default now(),
    resolved_at   timestamptz,
    check ((status = 'posted') = (posted_amount is not null)),
    check ((status = 'pending') = (resolved_at is null))
);
-- the reconciler's sweep, and the per-account "open holds" query
create index credit_holds_pending_deadline on credit_holds (deadline) where status = 'pending';
create index credit_holds_pending_account on credit_holds (account_id) where status = 'pending';

-- Append-only: one row per movement. available_change/held_change are what the movement did to
-- the account; amount (their sum) is what it did to the account's total, so that for every account
-- available + held = sum(amount), available = sum(available_change), held = sum(held_change).
create table balance_ledger (
    id               bigint generated always as identity primary key,
    account_id       uuid        not null references credit_accounts (id),
    entry_type       text        not null check (entry_type in ('credit', 'debit', 'hold', 'post', 'void', 'expire')),
    available_change bigint      not null,
    held_change      bigint      not null,
    amount           bigint      not null generated always as (available_change + held_change) stored,
    available_after  bigint      not null check (available_after >= 0),
    held_after       bigint      not null check (held_after >= 0),
    hold_id          uuid        references credit_holds (id),
    job_id           uuid,
    payment_ref      text,
    memo             text,
    idempotency_key  text        not null unique,
    created_at       timestamptz not null default now()
);
create index balance_ledger_account_page on balance_ledger (account_id, id desc);
create index balance_ledger_hold on balance_ledger (hold_id) where hold_id is not null;

create function balance_ledger_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'balance_ledger is append-only: % refused', tg_op
        using errcode = 'insufficient_privilege';
end $$;

create trigger balance_ledger_append_only
    before update or delete on balance_ledger
    for each row execute function balance_ledger_refuse_change();
create trigger balance_ledger_no_truncate
    before truncate on balance_ledger
    for each statement execute function balance_ledger_refuse_change();

-- Operations that moved nothing still have an outcome; it is kept so that a retry with the same
-- key returns the first outcome (TigerBeetle's id_already_failed) instead of being re-evaluated.
create table credit_rejections (
    idempotency_key text primary key,
    operation       text        not null,
    account_id      uuid,
    hold_id         uuid,
    amount          bigint,
    outcome         text        not null,
    created_at      timestamptz not null default now()
);
