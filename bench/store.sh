#!/usr/bin/env bash
# What one ledger row costs the embedded store, H2 (the default) against SQLite, over plain JDBC:
#   bench/store.sh [ROWS (100000)] [RATE per second (10000)] [ROUNDS (2)]
# Prints one RESULT line per store and round (see bench/src/StoreInsertBench.java). SQLite's driver
# is not an Airlock dependency: it is fetched into the local Maven repository for this comparison only.
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh
SQLITE_VERSION=3.54.1.0
./mvnw -q dependency:get -Dartifact=org.xerial:sqlite-jdbc:$SQLITE_VERSION > /dev/null
./mvnw -q -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > /dev/null
tmp="$(mktemp -d /tmp/airlock-store.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
"$JAVA_HOME/bin/javac" -d "$tmp" bench/src/StoreInsertBench.java
cp="$tmp:$(cat target/classpath.txt):${MAVEN_REPO:-$HOME/.m2/repository}/org/xerial/sqlite-jdbc/$SQLITE_VERSION/sqlite-jdbc-$SQLITE_VERSION.jar"
for _ in $(seq "${3:-2}"); do
  for store in h2 sqlite; do
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m -cp "$cp" StoreInsertBench "$store" "${1:-100000}" "${2:-10000}" | grep '^RESULT'
  done
done
