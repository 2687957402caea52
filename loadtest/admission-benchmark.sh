#!/usr/bin/env bash
# Video admissions: latency of POST /v1/generations and from the POST to the RunPod emulator receiving
# /run, at a fixed arrival rate. Needs the local PostgreSQL and Redis (see README).
# Usage: loadtest/admission-benchmark.sh [requests-per-second] [seconds]
# BENCH_OPTS passes -Dbench.consumers=N, -Dbench.max-poll-records=N, -Dbench.warm-up-seconds=N (60) or
# -Dbench.warm-up-rate=N (half the rate) to the run; -Dbench.pipeline=relay (no dispatcher) or admission (no
# relay either) measures part of the pipeline. After the warm-up the measured rate runs in rounds of 10 s until the JIT
# compiler spent less than -Dbench.jit-quiet-millis=N (500) of a round, or -Dbench.warm-up-max-seconds=N (600) in all.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=dev.kiln.generations.AdmissionBenchmark ${BENCH_OPTS:-} -Dexec.args="${1:-200} ${2:-30}"
