-- Minimal users for now; the accounts feature adds credentials and profile columns.
create table users (
    id         uuid primary key,
    status     text        not null default 'active' check (status in ('active', 'suspended')),
    created_at timestamptz not null default now()
);

-- One credit account per user; its id is the user's id.
-- available + held is the account's total; both can never go negative.
create table credit_accounts (
    id         uuid primary key references users (id),
    available  bigint      not null default 0 check (available >= 0),
    held       bigint      not null default 0 check (held >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
