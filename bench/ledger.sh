#!/usr/bin/env bash
# CPU the request ledger costs per event on the embedded store (SQLite; BENCH_STORE=h2 for H2):
#   bench/ledger.sh [EVENTS (200000)] [RATE per second (10000)]
# Prints: RESULT events=.. rate=.. wall_s=.. cpu_us_per_event=.. (process CPU minus the producer's own)
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec "$JAVA_HOME/bin/java" -Xmx512m -Dbench.store="${BENCH_STORE:-sqlite}" --enable-native-access=ALL-UNNAMED -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.airlock.bench.LedgerWriteBench "${1:-200000}" "${2:-10000}"
