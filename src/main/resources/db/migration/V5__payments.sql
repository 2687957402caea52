-- The payment provider's customer for each user (Stripe today; the provider column leaves room for
-- a second gateway).
create table payment_customers (
    user_id     uuid        not null references users (id),
    provider    text        not null,
    customer_id text        not null,
    created_at  timestamptz not null default now(),
    primary key (user_id, provider),
    unique (provider, customer_id)
);

-- One purchase attempt: created pending with its checkout, then paid (credited once), failed,
-- expired, refunded or disputed. The client's Idempotency-Key makes creating it safe to retry.
create table payment_transactions (
    id               uuid primary key,
    user_id          uuid        not null references users (id),
    provider         text        not null,
    kind             text        not null check (kind in ('pack', 'plan')),
    item_id          text        not null,
    amount           bigint      not null check (amount > 0),  -- minor units of currency
    currency         text        not null,
    credits          bigint      not null check (credits > 0),
    status           text        not null default 'pending'
                                 check (status in ('pending', 'paid', 'failed', 'expired', 'refunded', 'disputed')),
    checkout_id      text unique,
    checkout_url     text,
    idempotency_key  text        not null,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    unique (user_id, idempotency_key)
);
create index payment_transactions_user on payment_transactions (user_id, created_at desc, id desc);
create index payment_transactions_pending on payment_transactions (created_at) where status = 'pending';

-- Every provider event received, by id: a second delivery of the same event is a no-op.
create table payment_inbox (
    provider     text        not null,
    event_id     text        not null,
    type         text        not null,
    received_at  timestamptz not null default now(),
    primary key (provider, event_id)
);
