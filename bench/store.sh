#!/usr/bin/env bash
# What one ledger row costs an embedded store over plain JDBC, H2 (the default until the seventh
# session) against SQLite (the default since):
#   bench/store.sh [ROWS (100000)] [RATE per second (10000)] [ROUNDS (2)]
# Prints one RESULT line per store and round (see bench/src/StoreInsertBench.java).
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh
./mvnw -q -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > /dev/null
tmp="$(mktemp -d /tmp/airlock-store.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
"$JAVA_HOME/bin/javac" -d "$tmp" bench/src/StoreInsertBench.java
cp="$tmp:$(cat target/classpath.txt)"
for _ in $(seq "${3:-2}"); do
  for store in h2 sqlite; do
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m -cp "$cp" StoreInsertBench "$store" "${1:-100000}" "${2:-10000}" | grep '^RESULT'
  done
done
