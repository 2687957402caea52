#!/usr/bin/env bash
# PostgreSQL's CPU per video job for Kiln's own statements, with nothing else running: a scratch database
# migrated with Kiln's migrations, 40 funded users, then pgbench at a fixed rate for
#   1. admit_job exactly as Kiln calls it (8 clients), and
#   2. the rest of a job's statements, one per job with no batching (the move to dispatched through
#      job_move, RunPod's id, the relay's claim and mark of its outbox row; one client),
# PostgreSQL's CPU read from /proc (the postmaster, the children it reaped, the live backends) around each.
# Needs the local PostgreSQL (trust auth) and pgbench; run it on the machine PostgreSQL runs on.
# Usage: loadtest/pg-floor-benchmark.sh [transactions-per-second] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-200}
SECONDS_EACH=${2:-20}
DB=kiln_pg_floor_$$
PSQL=(psql -q -X -v ON_ERROR_STOP=1 -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}")
WORK=$(mktemp -d)
trap '"${PSQL[@]}" -d postgres -c "drop database if exists $DB with (force)" >/dev/null; rm -rf "$WORK"' EXIT

# the postmaster of the server we talk to (not another cluster's), from its data directory's pid file
POSTMASTER=$(head -1 "$(psql -X -At -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -d postgres \
  -c 'show data_directory')/postmaster.pid")

pg_cpu_seconds() {
  local tck postmaster ticks child
  # pgbench's backends must be gone (reaped into the postmaster's total) or still listed, not in between
  until [ "$(psql -X -At -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -d postgres \
    -c "select count(*) from pg_stat_activity where datname = '$DB'")" = 0 ]; do sleep 0.2; done
  tck=$(getconf CLK_TCK)
  postmaster=$POSTMASTER
  ticks=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
  for child in $(pgrep -P "$postmaster"); do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "scale=3; $ticks / $tck" | bc
}

run() { # name clients script how-long (-T seconds, or -t transactions per client)
  local before after done_count
  before=$(pg_cpu_seconds)
  pgbench -n -M extended -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -c "$2" -j "$2" \
    -R "$RATE" $4 -f "$3" "$DB" > "$WORK/out" 2>&1 || true
  after=$(pg_cpu_seconds)
  done_count=$(awk '/actually processed/ {split($NF, n, "/"); print n[1]}' "$WORK/out")
  if [ -z "$done_count" ] || [ "$done_count" = 0 ] || grep -q "aborted" "$WORK/out"; then
    echo "$1: pgbench failed:" >&2; grep -i "error" "$WORK/out" >&2; exit 1
  fi
  echo "$1: $done_count transactions, $(echo "scale=3; ($after - $before) * 1000 / $done_count" | bc) ms of PostgreSQL CPU each"
}

"${PSQL[@]}" -d postgres -c "create database $DB"
for migration in $(ls src/main/resources/db/migration/V*.sql | sort -V); do
  "${PSQL[@]}" -d "$DB" -f "$migration" >/dev/null
done
"${PSQL[@]}" -d "$DB" <<'SQL' >/dev/null
create table bench_users (n int primary key, id uuid not null);
insert into bench_users select g, gen_random_uuid() from generate_series(1, 40) g;
insert into users (id) select id from bench_users;
insert into credit_accounts (id) select id from bench_users on conflict do nothing;
select ledger_credit('bench-funds-' || id, id, 100000000, 'benchmark funds', null) from bench_users;
create sequence bench_next;
SQL

cat > "$WORK/admit.sql" <<'SQL'
\set u random(1, 40)
select o_outcome from admit_job(gen_random_uuid(), (select id from bench_users where n = :u), 'bench-' || gen_random_uuid(), 'hash', 'video', 'text-to-video', '{"workflow":"text-to-video","prompt":"a fox","parameters":{"duration_seconds":30}}'::jsonb, 5, 'runpod', 'bench-endpoint', 'queued', now() + interval '1 hour', now() + interval '2 hours', 'video text-to-video', now(), 'kiln.generation.requested.v1', gen_random_uuid()::text, '{"job":"bench"}');
SQL
cat > "$WORK/rest.sql" <<'SQL'
select id as job from bench_queue where n = (select nextval('bench_next')) \gset
select o_event_seq from job_move(:job::uuid, array['queued'], 'dispatched', null, null, null, null, null, 'sent to RunPod', null, null, null, null);
update generation_jobs set provider_job_id = 'bench-runpod-id', last_seen_at = now() where id = :job::uuid and status in ('dispatched', 'running');
update outbox set claimed_until = now() + interval '30 seconds', attempts = attempts + 1 where id = (select id from outbox where published_at is null order by id limit 1 for update skip locked) returning id as row \gset
update outbox set published_at = now(), claimed_until = null where id = :row;
SQL

run "admit_job" 8 "$WORK/admit.sql" "-T $SECONDS_EACH"
admitted=$("${PSQL[@]}" -At -d "$DB" -c "select count(*) from generation_jobs where status = 'queued'")
[ "$admitted" -gt 0 ] || { echo "admit_job admitted nothing (the funds were refused?)" >&2; exit 1; }
"${PSQL[@]}" -d "$DB" -c "create table bench_queue as select row_number() over () as n, id from generation_jobs where status = 'queued'; create unique index on bench_queue (n); analyze"
# one job each, so as many as were admitted (at the same rate: about as long)
run "the rest of a job (move, RunPod id, relay claim and mark)" 1 "$WORK/rest.sql" "-t $admitted"
echo "$(nproc) cores, $(psql -X -At -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -d postgres -c 'show server_version'), $RATE/s for ${SECONDS_EACH}s each"
