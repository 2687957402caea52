-- Personal data is stored sealed (AES-256-GCM, see PersonalDataCipher) and found through a keyed
-- blind index (HMAC-SHA256 of the normalised email), never in clear.
alter table users
    add column email_index   bytea unique,
    add column email_sealed  bytea,
    add column name_sealed   bytea,
    add column password_hash text,
    add column role          text not null default 'user' check (role in ('user', 'admin')),
    add column updated_at    timestamptz not null default now();

-- A user signed in through an external OIDC issuer, once per (issuer, subject).
create table external_identities (
    issuer     text        not null,
    subject    text        not null,
    user_id    uuid        not null references users (id),
    created_at timestamptz not null default now(),
    primary key (issuer, subject)
);
create index external_identities_user on external_identities (user_id);

-- Opaque refresh tokens, stored as SHA-256 hashes. Each use rotates the token within its family;
-- presenting a rotated token again is reuse, and revokes the whole family (RFC 9700 §4.14.2).
create table refresh_tokens (
    id          uuid primary key,
    family_id   uuid        not null,
    user_id     uuid        not null references users (id),
    token_hash  bytea       not null unique,
    status      text        not null default 'active' check (status in ('active', 'rotated', 'revoked')),
    expires_at  timestamptz not null,
    created_at  timestamptz not null default now(),
    used_at     timestamptz
);
create index refresh_tokens_family on refresh_tokens (family_id);
create index refresh_tokens_user_active on refresh_tokens (user_id) where status = 'active';

-- API keys: the secret is shown once and stored as HMAC-SHA256 under a server-side pepper.
create table api_keys (
    id           text primary key,               -- the key id embedded in the key, for look-up
    user_id      uuid        not null references users (id),
    name         text        not null,
    scopes       text[]      not null,
    secret_hmac  bytea       not null,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    created_at   timestamptz not null default now()
);
create index api_keys_user on api_keys (user_id, created_at desc);

-- One refresh: rotate the presented token, or detect its reuse and revoke the family, in one call.
create function refresh_rotate(p_hash bytea, p_new_id uuid, p_new_hash bytea, p_now timestamptz,
                               p_expires_at timestamptz)
    returns table (outcome text, user_id uuid, family_id uuid) language plpgsql as $$
declare
    t refresh_tokens;
begin
    select * into t from refresh_tokens r where r.token_hash = p_hash for update;
    if not found then
        return query select 'unknown'::text, null::uuid, null::uuid;
        return;
    end if;
    if t.status = 'rotated' then
        update refresh_tokens r set status = 'revoked' where r.family_id = t.family_id and r.status <> 'revoked';
        return query select 'reused'::text, t.user_id, t.family_id;
        return;
    end if;
    if t.status = 'revoked' then
        return query select 'revoked'::text, t.user_id, t.family_id;
        return;
    end if;
    if t.expires_at <= p_now then
        return query select 'expired'::text, t.user_id, t.family_id;
        return;
    end if;
    update refresh_tokens r set status = 'rotated', used_at = p_now where r.id = t.id;
    insert into refresh_tokens (id, family_id, user_id, token_hash, expires_at)
    values (p_new_id, t.family_id, t.user_id, p_new_hash, p_expires_at);
    return query select 'rotated'::text, t.user_id, t.family_id;
end $$;
