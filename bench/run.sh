#!/usr/bin/env bash
# Airlock benchmark (issue 6): the gateway against the same canned upstream called directly and
# through nginx proxy_pass (the floor), in one run, interleaved. Prints a table and appends it to
# BENCHMARKS.md. Takes 11-15 minutes on 2 cores.
#   bench/run.sh
# Knobs (environment): BENCH_ROUNDS (3) of BENCH_WARMUP (1) + BENCH_SECONDS (4) per path and measure,
# BENCH_STREAMS (10000), BENCH_STREAM_SPREAD (1: deployments behind the slow-stream route),
# BENCH_STREAM_HTTP2 (1: the slow streams' upstream is HTTP/2; 0: HTTP/1.1, a socket per stream),
# BENCH_PORT (18080; uses the next 13 ports), BENCH_SPIN_US (100: server.spin_us of the second gateway), BENCH_JAVA_OPTS (gateway JVM flags added after the
# launcher's), BENCH_FLAGS (replace the launcher's flags, e.g. to try another collector),
# BENCH_RPM/BENCH_TPM (the key's and tenant's limits; high enough never to refuse by default),
# BENCH_RSS_SECONDS (60: the sustained 1,000 req/s run whose RSS is reported),
# BENCH_JFR=1 (profile the gateway with JFR during the 64-connection run and print its hot methods),
# BENCH_HALT_POLL_NS (as root in a VM with the haltpoll cpuidle driver: the guest halt-poll window for
# this run, restored after), BENCH_NO_APPEND=1 (do not touch BENCHMARKS.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
. "$root/bin/find-java.sh"
cpu_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit}' /proc/stat; }
own_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$$/stat"; }  # this script and its waited-for children
SECS=${BENCH_SECONDS:-4} WARM=${BENCH_WARMUP:-1} ROUNDS=${BENCH_ROUNDS:-3} STREAMS=${BENCH_STREAMS:-10000} P=${BENCH_PORT:-18080}
tmp="$(mktemp -d /tmp/airlock-bench.XXXXXX)"
# what else ran on the machine: other processes' CPU share is measured over the run (see report.sh)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg) CPU_BEFORE=$(cpu_ticks) OURS_BEFORE=$(own_ticks)
. "$here/lib/setup.sh"
. "$here/lib/report.sh"
trap 'stop_all; restore_halt_poll; rm -rf "$tmp"' EXIT
set_halt_poll
declare -A R   # every figure, by "<measure>.<path>.<field>"

record() { # key prefix, RESULT line: stores each k=v of the line under prefix.k
  local kv
  for kv in ${2#RESULT }; do R[$1.${kv%%=*}]=${kv#*=}; done
}

# Each measure runs in rounds, the paths interleaved within each round, so a burst of load from
# elsewhere on the machine hits one round of every path rather than all of one path. The table
# reports the median round (the lower of two); error counts are summed over the rounds.
round() { # key, RESULT line: keeps the line for median_of and prints it
  echo "$2" >> "$tmp/res.$1"
  printf '  %-8s %s\n' "${1#*.}" "${2#RESULT }"
}
median_of() { # key: R[key.field] = median over the rounds of that field
  local field values
  for field in $(head -1 "$tmp/res.$1" | sed 's/^RESULT //; s/=[^ ]*//g'); do
    values=$(sed -n "s/.* $field=\([^ ]*\).*/\1/p" "$tmp/res.$1" | sort -g)
    case $field in
      errors|requests|sent|ok|non2xx|timeouts) R[$1.$field]=$(awk '{s += $1} END {print s}' <<< "$values") ;;
      *) R[$1.$field]=$(awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}' <<< "$values") ;;
    esac
  done
}

wrk_run() { # connections, seconds, url, body file -> the RESULT line
  local threads=$(($1 < 2 ? 1 : 2))
  BENCH_BODY=$4 wrk -t"$threads" -c"$1" -d"$2"s -s "$here/post.lua" "$3" | grep '^RESULT' || echo "RESULT rps=0 errors=-1"
}

proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # user + system clock ticks of a process
cpu_us_per_request() { # ticks before, ticks after, wrk RESULT line
  local n; n=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<< "$3")
  awk -v b="$1" -v a="$2" -v n="${n:-0}" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%d", (n > 0 ? (a - b) * 1e6 / hz / n : 0)}'
}

# The clients stop at C1: C2 compiling in the client during a measured run held a core for up to
# 12 ms (perf sched), and its bursts were the main culprit of the slowest requests of every path.
tool() { "$JAVA_HOME/bin/java" -Xmx2g -XX:TieredStopAtLevel=1 -cp "$tmp/classes" "$@"; }

need_tools
# another gateway or load left running shares the two cores with the run: say so before it starts
others_running=$(pgrep -af 'airlock\.jar serve|[w]rk |nginx: master' | grep -v "$tmp" || true)
[ -n "$others_running" ] && echo "note: already running here (their CPU counts as other load in the report):" && sed 's/^/  /' <<< "$others_running" | cut -c1-160
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
build
write_configs
start_all
BENCH_KEY=$(create_key "$PORT_AIRLOCK")
export BENCH_KEY   # post.lua and bench/src/Http.java send it on every path
# the second gateway has its own store, so its own key; key_for gives each path the one it takes
declare -A KEY=([spin]="$(create_key "$PORT_SPIN")")
key_for() { echo "${KEY[$1]:-$BENCH_KEY}"; }
cat <<EOF

Airlock $(git -C "$root" rev-parse --short HEAD) on $(nproc) cores, $(java -version 2>&1 | head -1)
Gateway JVM flags: $AIRLOCK_FLAGS
Socket transport: $(gateway_transport)
Machine load before the run (1/5/15-min load average): $LOAD_BEFORE
Idle policy: $(idle_policy)
Pipeline on: virtual-key auth (required), request parse, classification (task/path rules + pii,
  secrets and a custom term list detectors over every message), RPM/TPM limits of the key and its
  tenant (in-process sliding logs), residency policy (eligible set), routing (relay with retries and
  breaker), decision record, the request ledger (embedded SQLite file, the default store), Prometheus metrics.
"spin" is a second Airlock, the same config plus server.spin_us: $SPIN_US (its event loops poll before they sleep).
EOF

declare -A URL=([direct]="http://127.0.0.1:$PORT_UPSTREAM/v1/chat/completions"
                [floor]="http://127.0.0.1:$PORT_FLOOR/v1/chat/completions"
                [stack]="http://127.0.0.1:$PORT_STACK/v1/chat/completions"
                [netty]="http://127.0.0.1:$PORT_NETTY/v1/chat/completions"
                [airlock]="http://127.0.0.1:$PORT_AIRLOCK/v1/chat/completions"
                [spin]="http://127.0.0.1:$PORT_SPIN/v1/chat/completions")
declare -A PORT=([direct]=$PORT_UPSTREAM [floor]=$PORT_FLOOR [airlock]=$PORT_AIRLOCK [spin]=$PORT_SPIN)
PATHS=(direct floor airlock spin)
# wrk also measures the stack floors (bench/stack: the same proxy on Netty alone and on Vert.x alone,
# no pipeline), which split Airlock's distance from nginx into the HTTP stack's part and the pipeline's
WRK_PATHS=(direct floor netty stack airlock spin)

# sanity: every path answers 200, and Airlock really routes through its pipeline to the canned upstream
for p in "${WRK_PATHS[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(key_for "$p")" -H 'content-type: application/json' --data-binary @"$tmp/plain.json" "${URL[$p]}")
  [ "$code" = 200 ] || { echo "$p answered $code; logs in $tmp" >&2; trap - EXIT; stop_all; exit 1; }
done
nokey=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$tmp/plain.json" "${URL[airlock]}")
[ "$nokey" = 401 ] || { echo "Airlock answered $nokey without a key (expected 401): is key auth on?" >&2; exit 1; }
curl -s -D - -o /dev/null -H "Authorization: Bearer $BENCH_KEY" --data-binary @"$tmp/plain.json" "${URL[airlock]}" | grep -i '^x-airlock-\(deployment\|classification\)' | tr -d '\r'
R[rss.idle]=$(($(awk '/^VmRSS/ {print $2}' "/proc/$PID_airlock/status") / 1024))

# The fixed-rate runs come first, after a warm-up at a fixed rate: their latency and RSS are those of
# a gateway serving that rate, not one still holding what a saturation run left behind (a minute of
# rate-limit entries, a heap grown for 15,000 req/s). The saturation runs' own peak RSS is reported too.
echo; echo "JIT warm-up: both Airlocks 20 s each at a fixed 2,000 req/s..."
tool Loadgen "${URL[airlock]}" "$tmp/plain.json" 2000 20 1 16 > /dev/null
BENCH_KEY=$(key_for spin) tool Loadgen "${URL[spin]}" "$tmp/plain.json" 2000 20 1 16 > /dev/null
# the stack floors get theirs too, on the plain path and on the streaming one (the probe below streams
# through them; Airlock's streaming path is warmed by its SSE runs): a cold floor flatters Airlock
echo "JIT warm-up: the stack floors, 10 s of wrk each, then 5 s of simulator streams each..."
for p in netty stack; do wrk_run 32 10 "${URL[$p]}" "$tmp/plain.json" > /dev/null; done
for port in "$PORT_NETTY_SIM" "$PORT_STACK_SIM"; do wrk_run 32 5 "http://127.0.0.1:$port/v1/chat/completions" "$tmp/stream-direct.json" > /dev/null; done

for rate in 500 1000; do
  echo "Fixed rate $rate req/s on 16 connections, latency from the intended send time: $ROUNDS rounds of 2 s warm-up + ${SECS} s:"
  sampler=$(rss_watch "$PID_airlock" "$tmp/rss-$rate")
  for i in $(seq "$ROUNDS"); do
    for p in "${PATHS[@]}"; do
      round "r$rate.$p" "$(BENCH_KEY=$(key_for "$p") with_wire "tcp port ${PORT[$p]}" "$tmp/wire.pcap" tool Loadgen "${URL[$p]}" "$tmp/plain.json" "$rate" "$SECS" 2 16)"
      if wire_capable; then round "w$rate.$p" "$(tool WireLatency "$tmp/wire.pcap" "${PORT[$p]}" $((2 * rate)) | grep '^RESULT')"; rm -f "$tmp/wire.pcap"; fi
    done
  done
  kill "$sampler" 2>/dev/null || true
  for p in "${PATHS[@]}"; do median_of "r$rate.$p"; wire_capable && median_of "w$rate.$p"; done
done
wire_capable || echo "  (not root or no tcpdump: the fixed-rate runs are not timed at the wire)"
# RSS at 1,000 req/s is taken over a sustained run of the gateway alone: the collector's old generation
# grows with what survives young collections until a full collection, so a short window understates it.
RSS_SECS=${BENCH_RSS_SECONDS:-60}
echo "Sustained 1,000 req/s on Airlock alone for $RSS_SECS s (RSS sampled every 0.5 s):"
sampler=$(rss_watch "$PID_airlock" "$tmp/rss-sustained")
record sustained "$(tool Loadgen "${URL[airlock]}" "$tmp/plain.json" 1000 "$RSS_SECS" 0 16)"
kill "$sampler" 2>/dev/null || true
R[rss.r1000]=$(rss_max_mb "$tmp/rss-sustained")
R[rss.r1000.first]=$(head -20 "$tmp/rss-sustained" | rss_max_mb /dev/stdin)
R[rss.r1000.last]=$(tail -20 "$tmp/rss-sustained" | rss_max_mb /dev/stdin)
echo "  p99 ${R[sustained.p99]} µs, errors ${R[sustained.errors]}; RSS: idle ${R[rss.idle]} MB, first 10 s ${R[rss.r1000.first]} MB," \
  "last 10 s ${R[rss.r1000.last]} MB, at most ${R[rss.r1000]} MB (at most $(rss_max_mb "$tmp/rss-1000") MB during the interleaved runs)"

sampler=$(rss_watch "$PID_airlock" "$tmp/rss-saturated")
for c in 1 32 64; do
  echo "wrk, $c connection(s): $ROUNDS rounds of ${WARM} s warm-up + ${SECS} s per path:"
  if [ "$c" = 64 ] && [ "${BENCH_JFR:-0}" = 1 ]; then   # Java samples every 1 ms (the profile settings take one per 10 ms)
    "$JAVA_HOME/bin/jfr" configure --input profile method-profiling=max --output "$tmp/max.jfc" > /dev/null
    jcmd "$PID_airlock" JFR.start name=bench settings="$tmp/max.jfc" filename="$tmp/airlock.jfr" > /dev/null
  fi
  for _ in $(seq "$ROUNDS"); do
    for p in "${WRK_PATHS[@]}"; do
      k=$(key_for "$p")
      BENCH_KEY=$k wrk_run "$c" "$WARM" "${URL[$p]}" "$tmp/plain.json" > /dev/null
      case $p in stack) pid=$PID_stack ;; netty) pid=$PID_netty ;; spin) pid=$PID_spin ;; *) pid=$PID_airlock ;; esac
      before=$(proc_ticks "$pid")
      line=$(BENCH_KEY=$k wrk_run "$c" "$SECS" "${URL[$p]}" "$tmp/plain.json")
      # the gateway's own CPU per request (user + system), a figure other load on the machine moves less
      case $p in airlock|spin|stack|netty) line+=" cpu_us=$(cpu_us_per_request "$before" "$(proc_ticks "$pid")" "$line")" ;; esac
      round "c$c.$p" "$line"
    done
  done
  [ "$c" = 64 ] && [ "${BENCH_JFR:-0}" = 1 ] && jcmd "$PID_airlock" JFR.stop name=bench > /dev/null
  for p in "${WRK_PATHS[@]}"; do median_of "c$c.$p"; done
done
# The 1-connection figure split at the wire, per proxy: its forward leg (the client's request in to its
# request to the upstream out: for Airlock the whole pipeline) and its back leg (the upstream's answer
# in to its answer out). A run apart from the ones above, so the capture does not touch their figures.
if wire_capable; then
  echo "wrk, 1 connection, at the wire (tcpdump of the proxy's port and the upstream's): ${SECS} s per path:"
  declare -A LEG_PORT=([floor]=$PORT_FLOOR [netty]=$PORT_NETTY [stack]=$PORT_STACK [airlock]=$PORT_AIRLOCK [spin]=$PORT_SPIN)
  for p in floor netty stack airlock spin; do
    k=$(key_for "$p")
    BENCH_KEY=$k wrk_run 1 "$WARM" "${URL[$p]}" "$tmp/plain.json" > /dev/null
    BENCH_KEY=$k with_wire "tcp port ${LEG_PORT[$p]} or tcp port $PORT_UPSTREAM" "$tmp/legs.pcap" wrk_run 1 "$SECS" "${URL[$p]}" "$tmp/plain.json" > /dev/null
    line=$(tool WireLegs "$tmp/legs.pcap" "${LEG_PORT[$p]}" "$PORT_UPSTREAM" | grep '^RESULT')
    record "legs.$p" "$line"; printf '  %-8s %s\n' "$p" "${line#RESULT }"
    rm -f "$tmp/legs.pcap"
  done
fi

# What Airlock answered other than 200 so far, by its own metrics (wrk only counts non-2xx; 499 is a
# request wrk abandoned when a run ended), and its warnings, so an error in a run is explained here.
echo "Airlock answers other than 200 so far (status: count):" \
  "$(curl -s "http://127.0.0.1:$PORT_AIRLOCK/metrics" | awk -F'status="' '/^airlock_requests_total/ && !/status="200"/ {
      split($2, a, "\""); split($0, v, "} "); n[a[1]] += v[2]} END {for (k in n) printf "%s: %d  ", k, n[k]}')"
grep -E ' (WARN|ERROR) ' "$tmp/airlock.log" | cut -c1-240 | sort | uniq -c | sort -rn | head -5 || true

echo "wrk, 1 connection, a canned SSE stream (11 events): $ROUNDS rounds of ${WARM} s + ${SECS} s:"
for _ in $(seq "$ROUNDS"); do
  for p in direct airlock; do
    url="http://127.0.0.1:$PORT_SSE/v1/chat/completions"; [ "$p" = airlock ] && url=${URL[airlock]}
    wrk_run 1 "$WARM" "$url" "$tmp/sse.json" > /dev/null
    round "sse.$p" "$(wrk_run 1 "$SECS" "$url" "$tmp/sse.json")"
  done
done
for p in direct airlock; do median_of "sse.$p"; done
kill "$sampler" 2>/dev/null || true
R[rss.saturated]=$(rss_max_mb "$tmp/rss-saturated")

# Where each path streams from: the simulator directly, or a proxy in front of it (Airlock's request body
# names the model whose route leads to the simulator)
declare -A SIM_URL=([direct]="http://127.0.0.1:$PORT_SIM/v1/chat/completions"
                    [floor]="http://127.0.0.1:$PORT_SIM_FLOOR/v1/chat/completions"
                    [netty]="http://127.0.0.1:$PORT_NETTY_SIM/v1/chat/completions"
                    [stack]="http://127.0.0.1:$PORT_STACK_SIM/v1/chat/completions"
                    [airlock]="${URL[airlock]}")
stream_probe() { # key prefix, path...: 150 streams per path after 50 of warm-up, alternating; records and prints each path's line
  local prefix=$1 p line name body; shift
  local -a targets=()
  for p in "$@"; do
    body=$tmp/stream-direct.json; [ "$p" = airlock ] && body=$tmp/stream.json
    targets+=("$p=${SIM_URL[$p]}=$body")
  done
  while read -r line; do
    name=${line#RESULT path=}; name=${name%% *}
    record "$prefix.$name" "$line"
    printf '  %-8s %s\n' "$name" "${line#RESULT path=$name }"
  done < <(tool StreamProbe 150 50 "${targets[@]}" | grep '^RESULT')
}

echo "Streams from the simulator (ttft 10 ms, a token every 2 ms, 16 tokens), 150 each, alternating:"
stream_probe stream direct floor netty stack airlock

# The probe above finds the gateway idle between streams, so every hop of a first token is the wake of a
# sleeping thread. The same probe while Airlock serves a fixed 1,000 req/s of other traffic gives the time
# to first token of a gateway in use; the verdict stays on the idle figure.
echo "The same streams (direct, nginx, Airlock) while Airlock serves 1,000 req/s of plain requests on 8 other connections:"
# java itself in the background (not the tool function, whose subshell a kill would leave it running)
"$JAVA_HOME/bin/java" -Xmx2g -XX:TieredStopAtLevel=1 -cp "$tmp/classes" Loadgen "${URL[airlock]}" "$tmp/plain.json" 1000 120 0 8 \
  > "$tmp/busy-load.log" 2>&1 &
busy_load=$!
sleep 3
stream_probe busy direct floor airlock
kill "$busy_load" 2>/dev/null || true; wait "$busy_load" 2>/dev/null || true

echo "$STREAMS concurrent slow streams through Airlock (first token after 1 s, then a token every 500 ms, 40 tokens), opened over 10 s," \
  "${BENCH_STREAM_SPREAD:-1} deployment(s) behind the route, upstream over $([ "$STREAM_HTTP2" = true ] && echo 'HTTP/2 (h2c)' || echo HTTP/1.1):"
limit=$(ulimit -n)
if [ "$STREAM_HTTP2" != true ] && [ "$limit" -lt $((STREAMS * 2 + 200)) ]; then
  echo "  note: open files are limited to $limit here; the gateway needs one socket per client stream and one per upstream stream."
fi
sampler=$(rss_watch "$PID_airlock" "$tmp/rss-streams")
out=$(tool ManyStreams "http://127.0.0.1:$PORT_AIRLOCK/v1/chat/completions" "$tmp/slow.json" "$STREAMS" 10 | tee "$tmp/streams.log" | grep -v '^PROGRESS' || true)
kill "$sampler" 2>/dev/null || true
R[rss.streams]=$(rss_max_mb "$tmp/rss-streams")
record "many" "$(grep '^RESULT' <<< "$out" || echo "RESULT errors=-1")"
R[many.kinds]=$(grep '^ERRORS' <<< "$out" | sed 's/^ERRORS //' | paste -sd ';' - || true)
sed 's/^/  /' <<< "$out"
echo "  Airlock RSS max: ${R[rss.streams]} MB"

if [ "${BENCH_JFR:-0}" = 1 ]; then
  echo "JFR, gateway during the 64-connection run: hot methods"
  "$JAVA_HOME/bin/jfr" view --width 160 hot-methods "$tmp/airlock.jfr" | head -30
  echo "Inclusive share of the samples by stage:"
  jfr_breakdown "$tmp/airlock.jfr"
  cp "$tmp/airlock.jfr" "$root/target/bench-airlock.jfr" && echo "  (recording kept in target/bench-airlock.jfr)"
fi

stop_all   # so the servers' CPU time is counted as ours
R[others]=$(others_cpu_pct)
table=$(report_table)
echo; echo "$table"
if [ "${BENCH_NO_APPEND:-0}" != 1 ]; then
  append_benchmarks "$table"
  echo; echo "Appended to BENCHMARKS.md."
fi
