#!/usr/bin/env bash
# CPU per request route by route (a bare emulator call, a route with nothing behind it, the address limit,
# authenticated reads, a video admission, a text generation), one closed-loop client each, everything in
# one JVM. Needs the local PostgreSQL and Redis (see README).
# Usage: loadtest/route-cpu-benchmark.sh [warm-up-seconds] [seconds]; writes target/benchmark/route-cpu.md
# BENCH_OPTS="-Dbench.routes=video,credits" runs only the routes whose names contain one of these.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=dev.kiln.generations.RouteCpuBenchmark ${BENCH_OPTS:-} -Dexec.args="${1:-25} ${2:-15}"
