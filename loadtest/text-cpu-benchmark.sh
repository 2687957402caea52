#!/usr/bin/env bash
# CPU per text generation at one closed-loop client, everything in one JVM. Needs the local PostgreSQL
# and Redis (see README).
# Usage: loadtest/text-cpu-benchmark.sh [warm-up-seconds] [seconds]; writes target/benchmark/text-cpu.md
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=dev.kiln.generations.TextCpuBenchmark -Dexec.args="${1:-40} ${2:-30}"
