#!/usr/bin/env bash
# Holds per second: Kiln's CreditLedger.hold against pgbench running the same SQL statement on the
# same database (kiln_bench, recreated), one hot account and 10,000 accounts, 32 clients each.
# Needs the local PostgreSQL (see README) and pgbench. Usage: loadtest/hold-benchmark.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=dev.kiln.credits.HoldBenchmark -Dexec.args="${1:-20}"
