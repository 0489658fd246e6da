#!/usr/bin/env bash
# Profiles one gateway under load with async-profiler (from Maven Central), for "profile, fix the cause":
#   bench/profile.sh [CONNECTIONS (64)] [SECONDS of profile (8)] [EVENT (cpu; or alloc, wall, whose µs figures
#   mean nothing: read their shares)]
# Starts the canned nginx upstream and one Airlock with the launcher's flags and the bench config, runs
# wrk at CONNECTIONS for BENCH_WARM_SECONDS (45: the JIT), then samples the gateway through a wrk run of SECONDS. Prints the
# requests served while sampling, the gateway's CPU per request, and the top frames by inclusive and
# by self samples, each as µs per request (of profiled time: profiling slows the gateway by about a
# quarter). Keeps this summary, the collapsed stacks and a flame graph in bench/out/ (not committed).
# BENCH_TARGET=stack profiles the same proxy on Vert.x alone (bench/stack) instead of Airlock.
# BENCH_JAR=path runs another build's jar (with its lib/ beside it), to profile two builds alike;
# BENCH_TOP (30) sets the rows printed, BENCH_PORT (18280) the first of the ports used.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
. "$root/bin/find-java.sh"
CONNS=${1:-64} SECS=${2:-8} EVENT=${3:-cpu} P=${BENCH_PORT:-18280} TOP=${BENCH_TOP:-30}
tmp="$(mktemp -d /tmp/airlock-profile.XXXXXX)"
. "$here/lib/setup.sh"
trap 'stop_all; rm -rf "$tmp"' EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

AP_VERSION=4.2
ap_jar="$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION-linux-x64.jar"
if [ ! -f "$ap_jar" ]; then
  (cd "$root" && ./mvnw -q dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION:jar:linux-x64" > /dev/null)
fi
mkdir -p "$tmp/ap" && (cd "$tmp/ap" && "$JAVA_HOME/bin/jar" xf "$ap_jar")
lib=$(find "$tmp/ap" -name libasyncProfiler.so | head -1)
[ -n "$lib" ] || { echo "async-profiler's library is not in $ap_jar." >&2; exit 1; }

need_tools
jar=${BENCH_JAR:-}
if [ -z "$jar" ]; then build; jar="$root/target/airlock.jar"; fi
write_configs
start_bg nginx "$NGINX" -p "$tmp" -c "$tmp/nginx.conf"
# without DebugNonSafepoints the JIT records where inlined code is only at calls and safepoints, and a
# profiler attached later credits every sample to the nearest such place (one profile gave Long.toString 2 %)
flags="$(launcher_flags) -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
wait_http "http://127.0.0.1:$PORT_UPSTREAM/" "nginx" nginx
if [ "${BENCH_TARGET:-airlock}" = stack ]; then # the same proxy on Vert.x alone, no pipeline (bench/stack)
  # shellcheck disable=SC2086 # the flags are a word list on purpose
  start_bg target "$JAVA_HOME/bin/java" $flags -cp "$tmp/stack-classes:$jar" StackFloor "$PORT_STACK=http://127.0.0.1:$PORT_UPSTREAM"
  wait_http "http://127.0.0.1:$PORT_STACK/health" "The stack floor" target
  url="http://127.0.0.1:$PORT_STACK/v1/chat/completions"
  BENCH_KEY=none
else
  # shellcheck disable=SC2086
  AIRLOCK_MASTER_KEY=$MASTER start_bg target "$JAVA_HOME/bin/java" $flags -jar "$jar" serve --config "$tmp/airlock.yaml"
  wait_http "http://127.0.0.1:$PORT_AIRLOCK/health/ready" "Airlock" target
  url="http://127.0.0.1:$PORT_AIRLOCK/v1/chat/completions"
  BENCH_KEY=$(create_key "$PORT_AIRLOCK")
fi
export BENCH_KEY BENCH_BODY="$tmp/plain.json"
threads=$((CONNS < 2 ? 1 : 2))
# the JIT: under saturation C2 is still compiling at 20 s and quiet by ~40 s on a 2-core machine
wrk -t"$threads" -c"$CONNS" -d"${BENCH_WARM_SECONDS:-45}"s -s "$here/post.lua" "$url" > /dev/null
ticks() { awk '{print $14 + $15}' "/proc/$PID_target/stat"; }
out="$here/out"; mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
agent() { "$JAVA_HOME/bin/jcmd" "$PID_target" JVMTI.agent_load "$lib" "\"$1\"" > /dev/null; }  # the inner quotes keep the '='s
agent "start,event=$EVENT,interval=${BENCH_INTERVAL:-200us}"
t0=$(ticks)
line=$(wrk -t"$threads" -c"$CONNS" -d"$SECS"s -s "$here/post.lua" "$url" | grep '^RESULT')
t1=$(ticks)
agent "dump,collapsed,file=$out/profile-$stamp.collapsed"
agent "stop,file=$out/profile-$stamp.html"
hz=$(getconf CLK_TCK)
requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<< "$line")
[ "${requests:-0}" -gt 0 ] || { echo "No request was served while profiling: $line; logs in $tmp" >&2; tail -5 "$tmp/target.log" >&2; exit 1; }

exec > >(tee "$out/profile-$stamp.txt")
echo "Profiled ${BENCH_TARGET:-airlock} for $SECS s at $CONNS connections ($EVENT): $requests requests, $(awk -v r="$requests" -v s="$SECS" 'BEGIN {printf "%d", r / s}') req/s," \
  "gateway CPU $(awk -v t=$((t1 - t0)) -v hz="$hz" -v r="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / r}') µs per request"
echo "Stacks: $out/profile-$stamp.collapsed (flame graph: .html beside it)"
# Each sample is one interval of CPU; a frame's µs per request = its samples x interval / requests.
interval_us=$(awk -v i="${BENCH_INTERVAL:-200us}" 'BEGIN {v = i + 0; if (i ~ /ms$/) v *= 1000; else if (i ~ /ns$/) v /= 1000; else if (i !~ /us$/) v /= 1000; print v}')
summarize() { # mode: total | self
  awk -v mode="$1" -v r="$requests" -v iv="$interval_us" -v top="$TOP" '
    { n = $NF; $NF = ""; sub(/ $/, ""); k = split($0, f, ";"); all += n
      if (mode == "self") { s[f[k]] += n; next }
      delete seen
      for (i = 1; i <= k; i++) if (!(f[i] in seen)) { seen[f[i]] = 1; s[f[i]] += n } }
    END { for (x in s) printf "%8.2f µs %5.1f %%  %s\n", s[x] * iv / r, 100 * s[x] / all, x | "sort -rn | head -" top }' \
    "$out/profile-$stamp.collapsed"
}
echo; echo "By inclusive samples (µs per request, share of samples):"; summarize total
echo; echo "By self samples:"; summarize self
echo; echo "By the library of the leaf frame (µs per request):"
awk -v r="$requests" -v iv="$interval_us" '
  { n = $NF; $NF = ""; sub(/ $/, ""); k = split($0, f, ";"); leaf = f[k]
    where = /JdbcLedger/ ? "ledger writer thread" : /SingleThreadIoEventLoop|SingleThreadEventExecutor/ ? "event loops" \
          : /CompileBroker/ ? "JIT compiler threads" : /WorkerThread::run|VMThread/ ? "GC threads" : "other threads (store, timers)"
    lib = leaf ~ /_\[k\]$/ ? "kernel" : leaf ~ /^(io\/netty|io\/vertx)/ ? "netty, vert.x" : leaf ~ /^dev\/airlock/ ? "airlock" \
        : leaf ~ /^(java|jdk|sun)\// ? "jdk" : leaf ~ /^com\/fasterxml/ ? "jackson" : leaf ~ /sqlite/ ? "sqlite" : "other"
    s[where] += n; l[where ": " lib] += n }
  END { for (x in s) printf "%8.2f  %s\n", s[x] * iv / r, x | "sort -rn"; close("sort -rn")
        for (x in l) printf "%8.2f    %s\n", l[x] * iv / r, x | "sort -rn" }' "$out/profile-$stamp.collapsed"
