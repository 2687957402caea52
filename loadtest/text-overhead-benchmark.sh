#!/usr/bin/env bash
# Kiln's added latency per text generation against calling the Vertex emulator directly, with
# CLIENTS concurrent closed-loop clients. Needs the local PostgreSQL and Redis (see README).
# Usage: loadtest/text-overhead-benchmark.sh [clients] [seconds-per-phase] [warm-up-seconds] [emulator-delay-ms]; writes target/benchmark/text-overhead.md
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=dev.kiln.generations.TextOverheadBenchmark -Dexec.args="${1:-16} ${2:-20} ${3:-10} ${4:-0}"
