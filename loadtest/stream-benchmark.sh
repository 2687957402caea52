#!/usr/bin/env bash
# Live status streams: STREAMS concurrent SSE subscribers on one Kiln instance, spread over USERS users
# with one running job each, while RATE job changes a second are committed for SECONDS. Kiln and the
# subscribers run in two JVMs (each stays under the file-descriptor limit; the server's heap is its
# own). Needs the local PostgreSQL and Redis (see README). Writes target/benchmark/streams.md.
# Usage: loadtest/stream-benchmark.sh [streams] [users] [changes-per-second] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
STREAMS=${1:-10000}; USERS=${2:-100}; RATE=${3:-50}; SECONDS_=${4:-60}
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/benchmark.cp
mkdir -p target/benchmark
rm -f target/benchmark/streams-*
CP="target/test-classes:target/classes:$(cat target/benchmark.cp)"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
"$JAVA" -Xmx2g -cp "$CP" dev.kiln.generations.StreamBenchmark "$STREAMS" "$USERS" "$RATE" "$SECONDS_" \
  > target/benchmark/streams-server.log 2>&1 &
SERVER=$!
"$JAVA" -Xmx1g -cp "$CP" dev.kiln.generations.StreamBenchmarkClient > target/benchmark/streams-client.log 2>&1 &
CLIENT=$!
wait $SERVER || true
sleep 5
kill $CLIENT 2>/dev/null || true   # a client still waiting means the server failed: see its log
wait $CLIENT 2>/dev/null || true
{
  echo "# Stream benchmark, $(date -u +%FT%TZ)"
  echo
  echo "$STREAMS streams, $USERS users, $RATE changes/s for $SECONDS_ s; $(nproc) cores; $("$JAVA" -version 2>&1 | head -1)"
  echo
  cat target/benchmark/streams-server.txt target/benchmark/streams-client.txt 2>/dev/null || echo "(a side failed: see target/benchmark/streams-*.log)"
} > target/benchmark/streams.md
cat target/benchmark/streams.md
