#!/usr/bin/env bash
# Runs Airlock's JMH micro-benchmarks: bench/jmh.sh [JMH args, e.g. ClassifyBench -p bytes=4096]
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main "${@:-ClassifyBench}"
