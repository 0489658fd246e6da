#!/usr/bin/env bash
# Compares gateway JVM flag sets side by side: one Airlock per flag set, all running at once against
# the same canned nginx upstream, measured in interleaved rounds so background load hits all alike.
#   bench/flags.sh "<flags A>" "<flags B>" ...     (default: the launcher's flags and the proposed G1 ones)
# A flag set that starts with "jar=PATH " runs that build's jar (with its lib/ beside it) instead of
# this tree's, to compare two builds of Airlock, e.g. a commit's against its parent's (git worktree).
# One that starts with "transport=NAME " (after any jar=) sets that gateway's server.transport (auto,
# io_uring, epoll, nio). One that starts with "yaml=FILE " (after any jar= and transport=) appends FILE to that gateway's config, COLLECTOR_PORT
# replaced by the port of a canned OpenTelemetry collector: bench/telemetry.yaml turns on Airlock's spans.
# One that starts with "ledger=KEY:VALUE " (after those) adds that setting to the gateway's ledger section,
# e.g. "ledger=journal:false" to measure the ledger's journal against the same build with it.
# Per flag set: 1-connection p50, 64-connection req/s, p99 at 1,000 req/s, max RSS during that run,
# and optionally (BENCH_STREAMS=N) the max RSS and errors with N slow streams (BENCH_STREAM_SPREAD
# deployments behind the route, default 24, so the per-deployment connection pool is not the limit).
# BENCH_MEASURES picks the measures (default "c1 c64 r1000"; "r1000" alone keeps the saturation runs
# from growing each gateway's heap between fixed-rate runs) and BENCH_RATE_SECONDS their length (4).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
. "$root/bin/find-java.sh"
P=${BENCH_PORT:-18080} ROUNDS=${BENCH_ROUNDS:-3} STREAMS=${BENCH_STREAMS:-0}
MEASURES=" ${BENCH_MEASURES:-c1 c64 r1000} " RATE_SECONDS=${BENCH_RATE_SECONDS:-4}
export BENCH_STREAM_SPREAD=${BENCH_STREAM_SPREAD:-24}
tmp="$(mktemp -d /tmp/airlock-flags.XXXXXX)"
. "$here/lib/setup.sh"
trap 'stop_all; rm -rf "$tmp"' EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [ $# -eq 0 ]; then # the launcher's flags against the G1 settings measured in bench/HISTORY.md
  set -- "$(launcher_flags)" \
    "--enable-native-access=ALL-UNNAMED -Xms32m -Xmx768m -XX:+UseG1GC -XX:GCTimeRatio=4 -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10 -XX:+ExitOnOutOfMemoryError"
fi
need_tools
build
write_configs
flags=$(launcher_flags)
start_bg nginx "$NGINX" -p "$tmp" -c "$tmp/nginx.conf"
# shellcheck disable=SC2086
start_bg simhost "$JAVA_HOME/bin/java" $flags -Xmx4g -jar "$root/target/airlock.jar" serve --config "$tmp/simhost.yaml"
for i in $(seq $#); do
  sed -e "s/port: $PORT_AIRLOCK,/port: $((P + 20 + i)),/" -e "s/gateway\.db/gateway-$i.db/; s/gateway-spill/gateway-spill-$i/" \
    "$tmp/airlock.yaml" > "$tmp/airlock-$i.yaml"
  # shellcheck disable=SC2086
  spec=${!i} jar="$root/target/airlock.jar"
  if [[ $spec == jar=* ]]; then jar=${spec%% *}; jar=${jar#jar=}; spec=${spec#* }; fi
  if [[ $spec == transport=* ]]; then
    t=${spec%% *}; t=${t#transport=}; spec=${spec#* }
    sed -i "s/transport: [a-z_]* }/transport: $t }/" "$tmp/airlock-$i.yaml"
  fi
  if [[ $spec == yaml=* ]]; then
    extra=${spec%% *}; extra=${extra#yaml=}; spec=${spec#* }
    sed "s/COLLECTOR_PORT/$PORT_COLLECTOR/g" "$extra" >> "$tmp/airlock-$i.yaml"
  fi
  if [[ $spec == ledger=* ]]; then
    setting=${spec%% *}; setting=${setting#ledger=}; spec=${spec#* }
    sed -i "s/^ledger: { /ledger: { ${setting%%:*}: ${setting#*:}, /" "$tmp/airlock-$i.yaml"
  fi
  # shellcheck disable=SC2086
  AIRLOCK_MASTER_KEY=$MASTER start_bg "gw$i" "$JAVA_HOME/bin/java" $spec -jar "$jar" serve --config "$tmp/airlock-$i.yaml"
done
declare -a KEYS
for i in $(seq $#); do
  wait_http "http://127.0.0.1:$((P + 20 + i))/health/ready" "gateway $i" "gw$i"
  KEYS[i]=$(create_key $((P + 20 + i)))
done

w() { BENCH_KEY=${KEYS[$4]} BENCH_BODY=$tmp/plain.json wrk -t"$(($1 < 2 ? 1 : 2))" -c"$1" -d"$2"s -s "$here/post.lua" "$3" | grep '^RESULT'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
med() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
medf() { if [ -s "$1" ]; then med < "$1"; else echo "-"; fi; }  # a measure not taken (BENCH_MEASURES) is "-"
for i in $(seq $#); do w 32 10 "http://127.0.0.1:$((P + 20 + i))/v1/chat/completions" "$i" > /dev/null; done  # JIT
for r in $(seq "$ROUNDS"); do
  echo "round $r/$ROUNDS"
  for i in $(seq $#); do
    url="http://127.0.0.1:$((P + 20 + i))/v1/chat/completions" pid_var="PID_gw$i"
    [[ $MEASURES == *" c1 "* ]] && w 1 4 "$url" "$i" | field p50 >> "$tmp/c1.$i"
    [[ $MEASURES == *" c64 "* ]] && w 64 4 "$url" "$i" | field rps >> "$tmp/c64.$i"
    if [[ $MEASURES == *" r1000 "* ]]; then
      sampler=$(rss_watch "${!pid_var}" "$tmp/rss.$i.$r")
      BENCH_KEY=${KEYS[i]} "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -cp "$tmp/classes" Loadgen "$url" "$tmp/plain.json" 1000 "$RATE_SECONDS" 2 16 \
        | tee -a "$tmp/r1000-all.$i" | field p99 >> "$tmp/r1000.$i"
      kill "$sampler"
    fi
  done
done
if [ "$STREAMS" -gt 0 ]; then
  for i in $(seq $#); do
    pid_var="PID_gw$i"
    # the previous gateway's pooled upstream connections close after Vert.x's 60 s keep-alive timeout;
    # until then they hold sockets in the simulator, which has the same open-file limit
    [ "$i" -gt 1 ] && sleep 65
    echo "$STREAMS slow streams through gateway $i..."
    sampler=$(rss_watch "${!pid_var}" "$tmp/srss.$i")
    BENCH_KEY=${KEYS[i]} "$JAVA_HOME/bin/java" -Xmx2g -XX:TieredStopAtLevel=1 -cp "$tmp/classes" ManyStreams "http://127.0.0.1:$((P + 20 + i))/v1/chat/completions" \
      "$tmp/slow.json" "$STREAMS" 10 | grep '^RESULT' | field errors > "$tmp/serr.$i"
    kill "$sampler"
  done
fi

printf '\n| Flags | 1 conn p50 µs | 64 conns req/s | 1,000 req/s p99 µs | RSS MB at 1,000 req/s |%s\n|---|---|---|---|---|%s\n' \
  "$([ "$STREAMS" -gt 0 ] && echo " $STREAMS streams: RSS MB, errors |")" "$([ "$STREAMS" -gt 0 ] && echo "---|")"
for i in $(seq $#); do
  printf '| `%s` | %s | %s | %s | %s |%s\n' "${!i}" "$(medf "$tmp/c1.$i")" "$(medf "$tmp/c64.$i")" "$(medf "$tmp/r1000.$i")" \
    "$(cat "$tmp"/rss."$i".* 2>/dev/null | sort -n | tail -1 | awk '{printf "%d", $1 / 1024}')" \
    "$([ "$STREAMS" -gt 0 ] && echo " $(rss_max_mb "$tmp/srss.$i"), $(cat "$tmp/serr.$i") |")"
done
if [[ $MEASURES == *" r1000 "* ]]; then
  echo
  for i in $(seq $#); do
    echo "gateway $i, 1,000 req/s round by round (p99 µs; errors): $(paste -sd' ' "$tmp/r1000.$i"); $(field errors < "$tmp/r1000-all.$i" | paste -sd+ | bc)"
  done
fi
