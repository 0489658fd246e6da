# Sourced by bench/run.sh: turns the figures in R into a markdown table with ratios and verdicts.

v() { echo "${R[$1]:-?}"; }                      # a figure, or ? if the run did not produce it
num() { [[ "${R[$1]:-}" =~ ^-?[0-9]+$ ]]; }      # whether a figure exists and is a whole number
diff_of() { num "$1" && num "$2" && echo $((R[$1] - R[$2])) || echo "?"; }
pct_of() { num "$1" && num "$2" && [ "${R[$2]}" -gt 0 ] && echo $((100 * R[$1] / R[$2])) || echo "?"; }
# The range of one path's req/s as a share of another's, round by round ("lo–hi"): the rounds run the
# paths in the same minutes, so this shows how far the machine moved the ratio while the verdict
# keeps to the ratio of the medians.
round_pcts() { # result keys of two paths, e.g. c64.airlock c64.floor
  [ -f "$tmp/res.$1" ] && [ -f "$tmp/res.$2" ] || { echo "?"; return; }
  paste -d' ' <(sed -n 's/.* rps=\([0-9]*\).*/\1/p' "$tmp/res.$1") <(sed -n 's/.* rps=\([0-9]*\).*/\1/p' "$tmp/res.$2") |
    awk '$2 > 0 { p = int(100 * $1 / $2); if (n++ == 0 || p < lo) lo = p; if (p > hi) hi = p }
         END { if (n) print lo "–" hi; else print "?" }'
}
verdict() { # arithmetic condition (as a string), only evaluated when every figure it uses exists
  [ "$1" = "?" ] && { echo "n/a"; return; }
  if (( $1 )); then echo "**meets**"; else echo "**MISSES**"; fi
}
errs() { # " (N errors: S non-2xx, T timeouts)" when there were any
  local e=${R[$1.errors]:-?}
  [ "$e" = 0 ] && echo "" || echo " ($e errors${R[$1.non2xx]:+: ${R[$1.non2xx]} non-2xx, ${R[$1.timeouts]} timeouts})"
}

report_table() {
  local a50 n50 a99 n99 pct32 pct64 add500 add1000 ttft nttft sse rate_cond
  a50=$(diff_of c1.airlock.p50 c1.direct.p50); n50=$(diff_of c1.floor.p50 c1.direct.p50)
  a99=$(diff_of c1.airlock.p99 c1.direct.p99); n99=$(diff_of c1.floor.p99 c1.direct.p99)
  pct32="?"; num c32.floor.rps && num c32.airlock.rps && [ "${R[c32.floor.rps]}" -gt 0 ] && pct32=$((100 * R[c32.airlock.rps] / R[c32.floor.rps]))
  pct64="?"; num c64.floor.rps && num c64.airlock.rps && [ "${R[c64.floor.rps]}" -gt 0 ] && pct64=$((100 * R[c64.airlock.rps] / R[c64.floor.rps]))
  add500=$(diff_of r500.airlock.p99 r500.direct.p99); add1000=$(diff_of r1000.airlock.p99 r1000.direct.p99)
  ttft=$(diff_of stream.airlock.ttft_p50 stream.direct.ttft_p50); nttft=$(diff_of stream.floor.ttft_p50 stream.direct.ttft_p50)
  sse=$(diff_of sse.airlock.p50 sse.direct.p50)
  rate_cond="?"; [ "$add1000" != "?" ] && num r1000.airlock.errors && rate_cond="$add1000 <= 1000 && ${R[r1000.airlock.errors]} == 0"
  local wadd500 wadd1000 wn1000 wire_cond="?"
  wadd500=$(diff_of w500.airlock.p99 w500.direct.p99); wadd1000=$(diff_of w1000.airlock.p99 w1000.direct.p99); wn1000=$(diff_of w1000.floor.p99 w1000.direct.p99)
  [ "$wadd1000" != "?" ] && num r1000.airlock.errors && wire_cond="$wadd1000 <= 1000 && ${R[r1000.airlock.errors]} == 0"
  # the second gateway, whose loops spin before they sleep (server.spin_us)
  local s1 spct32 spct64 sadd1000 srate_cond="?"
  s1=$(diff_of c1.spin.p50 c1.direct.p50); spct32=$(pct_of c32.spin.rps c32.floor.rps); spct64=$(pct_of c64.spin.rps c64.floor.rps)
  sadd1000=$(diff_of r1000.spin.p99 r1000.direct.p99)
  [ "$sadd1000" != "?" ] && num r1000.spin.errors && srate_cond="$sadd1000 <= 1000 && ${R[r1000.spin.errors]} == 0"
  local many_cond="?"
  # the budget is for 10,000 streams: a smaller BENCH_STREAMS run gets no verdict
  num rss.streams && num many.errors && [ "${R[many.count]:-0}" -ge 10000 ] && many_cond="${R[rss.streams]} < 1024 && ${R[many.errors]} == 0 && ${R[many.ok]:-0} == ${R[many.count]:-1}"
  # the stack floors: Netty alone and Vert.x alone (bench/stack), to split Airlock's distance from nginx
  local k50 s50 k64 s64 sa64 kttft sttft
  k50=$(diff_of c1.netty.p50 c1.direct.p50); s50=$(diff_of c1.stack.p50 c1.direct.p50)
  k64=$(pct_of c64.netty.rps c64.floor.rps); s64=$(pct_of c64.stack.rps c64.floor.rps); sa64=$(pct_of c64.airlock.rps c64.stack.rps)
  kttft=$(diff_of stream.netty.ttft_p50 stream.direct.ttft_p50); sttft=$(diff_of stream.stack.ttft_p50 stream.direct.ttft_p50)
  cat <<EOF
| Measure (µs unless noted) | Direct | nginx proxy (floor) | Airlock | Airlock vs floor | Budget | |
|---|---|---|---|---|---|---|
| 1 conn, p50 | $(v c1.direct.p50) | $(v c1.floor.p50) | $(v c1.airlock.p50) | +$a50 over direct (nginx +$n50) | ≤ +100 | $(verdict "$([ "$a50" = "?" ] && echo "?" || echo "$a50 <= 100")") |
| 1 conn, p50, Airlock with server.spin_us: $SPIN_US ("spin") | $(v c1.direct.p50) | $(v c1.floor.p50) | $(v c1.spin.p50) | +$s1 over direct; at the wire, forward / back leg $(v legs.spin.fwd_p50) / $(v legs.spin.back_p50); CPU per request $(v c1.spin.cpu_us) against $(v c1.airlock.cpu_us) without the spin | ≤ +100 | $(verdict "$([ "$s1" = "?" ] && echo "?" || echo "$s1 <= 100")") |
| 1 conn, p99 | $(v c1.direct.p99) | $(v c1.floor.p99) | $(v c1.airlock.p99) | +$a99 over direct (nginx +$n99) | – | |
| 1 conn at the wire (tcpdump), the proxy's forward / back leg, p50 | – | $(v legs.floor.fwd_p50) / $(v legs.floor.back_p50) | $(v legs.airlock.fwd_p50) / $(v legs.airlock.back_p50) | stack floors: Vert.x alone $(v legs.stack.fwd_p50) / $(v legs.stack.back_p50), Netty alone $(v legs.netty.fwd_p50) / $(v legs.netty.back_p50); the upstream's own answer $(v legs.floor.up_p50) behind nginx, $(v legs.airlock.up_p50) behind Airlock | – | |
| 1 conn, req/s | $(v c1.direct.rps) | $(v c1.floor.rps) | $(v c1.airlock.rps)$(errs c1.airlock) | | – | |
| 32 conns, req/s | $(v c32.direct.rps) | $(v c32.floor.rps) | $(v c32.airlock.rps)$(errs c32.airlock) | $pct32 % of nginx proxy (rounds $(round_pcts c32.airlock c32.floor) %) | ≥ 50 % | $(verdict "$([ "$pct32" = "?" ] && echo "?" || echo "$pct32 >= 50")") |
| 64 conns, req/s | $(v c64.direct.rps) | $(v c64.floor.rps) | $(v c64.airlock.rps)$(errs c64.airlock) | $pct64 % of nginx proxy (rounds $(round_pcts c64.airlock c64.floor) %) | ≥ 50 % | $(verdict "$([ "$pct64" = "?" ] && echo "?" || echo "$pct64 >= 50")") |
| 32 / 64 conns, req/s, spin | – | – | $(v c32.spin.rps)$(errs c32.spin) / $(v c64.spin.rps)$(errs c64.spin) | $spct32 / $spct64 % of nginx proxy (rounds $(round_pcts c32.spin c32.floor) / $(round_pcts c64.spin c64.floor) %); CPU per request at 64 $(v c64.spin.cpu_us) | ≥ 50 % | $(verdict "$([ "$spct32" = "?" ] || [ "$spct64" = "?" ] && echo "?" || echo "$spct32 >= 50 && $spct64 >= 50")") |
| 64 conns, gateway CPU per request (user + system) | – | – | $(v c64.airlock.cpu_us) | | – | |
| 64 conns, p99 under saturation | $(v c64.direct.p99) | $(v c64.floor.p99) | $(v c64.airlock.p99) | | – | |
| 500 req/s fixed, p50 / p99 / p99.9 | $(v r500.direct.p50) / $(v r500.direct.p99) / $(v r500.direct.p999)$(errs r500.direct) | $(v r500.floor.p50) / $(v r500.floor.p99) / $(v r500.floor.p999)$(errs r500.floor) | $(v r500.airlock.p50) / $(v r500.airlock.p99) / $(v r500.airlock.p999)$(errs r500.airlock) | p99 +$add500 over direct | – | |
| 1,000 req/s fixed, p50 / p99 / p99.9 | $(v r1000.direct.p50) / $(v r1000.direct.p99) / $(v r1000.direct.p999)$(errs r1000.direct) | $(v r1000.floor.p50) / $(v r1000.floor.p99) / $(v r1000.floor.p999)$(errs r1000.floor) | $(v r1000.airlock.p50) / $(v r1000.airlock.p99) / $(v r1000.airlock.p999), $(v r1000.airlock.errors) errors | p99 +$add1000 over direct | ≤ +1000, 0 errors | $(verdict "$rate_cond") |
| 500 req/s, the same runs at the wire (tcpdump), p50 / p99 / p99.9 | $(v w500.direct.p50) / $(v w500.direct.p99) / $(v w500.direct.p999) | $(v w500.floor.p50) / $(v w500.floor.p99) / $(v w500.floor.p999) | $(v w500.airlock.p50) / $(v w500.airlock.p99) / $(v w500.airlock.p999) | p99 +$wadd500 over direct | – | |
| 1,000 req/s, the same runs at the wire (tcpdump), p50 / p99 / p99.9 | $(v w1000.direct.p50) / $(v w1000.direct.p99) / $(v w1000.direct.p999) | $(v w1000.floor.p50) / $(v w1000.floor.p99) / $(v w1000.floor.p999) | $(v w1000.airlock.p50) / $(v w1000.airlock.p99) / $(v w1000.airlock.p999) | p99 +$wadd1000 over direct (nginx +$wn1000) | ≤ +1000, 0 errors | $(verdict "$wire_cond") |
| 1,000 req/s fixed, spin: p50 / p99 / p99.9; at the wire | – | – | $(v r1000.spin.p50) / $(v r1000.spin.p99) / $(v r1000.spin.p999)$(errs r1000.spin); $(v w1000.spin.p50) / $(v w1000.spin.p99) / $(v w1000.spin.p999) | p99 +$sadd1000 over direct (at the wire +$(diff_of w1000.spin.p99 w1000.direct.p99)) | ≤ +1000, 0 errors | $(verdict "$srate_cond") |
| Canned SSE (11 events), 1 conn, p50 | $(v sse.direct.p50) | – | $(v sse.airlock.p50)$(errs sse.airlock) | +$sse over direct | – | |
| Stream TTFT p50 / p99 (simulator) | $(v stream.direct.ttft_p50) / $(v stream.direct.ttft_p99) | $(v stream.floor.ttft_p50) / $(v stream.floor.ttft_p99)$(errs stream.floor) | $(v stream.airlock.ttft_p50) / $(v stream.airlock.ttft_p99)$(errs stream.airlock) | p50 +$ttft over direct (nginx +$nttft) | ≤ +200 | $(verdict "$([ "$ttft" = "?" ] && echo "?" || echo "$ttft <= 200")") |
| Stream TTFT p50 / p99 while Airlock serves 1,000 req/s of other traffic | $(v busy.direct.ttft_p50) / $(v busy.direct.ttft_p99) | $(v busy.floor.ttft_p50) / $(v busy.floor.ttft_p99)$(errs busy.floor) | $(v busy.airlock.ttft_p50) / $(v busy.airlock.ttft_p99)$(errs busy.airlock) | p50 +$(diff_of busy.airlock.ttft_p50 busy.direct.ttft_p50) over direct (nginx +$(diff_of busy.floor.ttft_p50 busy.direct.ttft_p50)) | – | |
| Stream total p50 / p99 | $(v stream.direct.total_p50) / $(v stream.direct.total_p99) | $(v stream.floor.total_p50) / $(v stream.floor.total_p99) | $(v stream.airlock.total_p50) / $(v stream.airlock.total_p99) | | – | |
| Inter-chunk gap p10 / p50 / p90 (simulator sends every 2000) | $(v stream.direct.gap_p10) / $(v stream.direct.gap_p50) / $(v stream.direct.gap_p90) | $(v stream.floor.gap_p10) / $(v stream.floor.gap_p50) / $(v stream.floor.gap_p90) | $(v stream.airlock.gap_p10) / $(v stream.airlock.gap_p50) / $(v stream.airlock.gap_p90) | same gaps = no buffering | – | |
| RSS at 1,000 req/s (MB), $RSS_SECS s sustained | – | – | $(v rss.r1000) at most (first 10 s $(v rss.r1000.first), last 10 s $(v rss.r1000.last); p99 $(v sustained.p99) µs, $(v sustained.errors) errors; idle $(v rss.idle); $(v rss.saturated) at most in the saturation runs after) | | ≤ 300 | $(verdict "$(num rss.r1000 && echo "${R[rss.r1000]} <= 300" || echo "?")") |
| $(v many.count) slow streams (upstream $([ "$STREAM_HTTP2" = true ] && echo HTTP/2 || echo HTTP/1.1)): RSS max (MB), ok / errors | – | – | $(v rss.streams) MB, $(v many.ok) ok / $(v many.errors) errors; at most $(v many.peak_streaming) streaming at once | ${R[many.kinds]:-} | < 1024, 0 errors | $(verdict "$many_cond") |
| Stack floors, the same proxy without the pipeline (bench/stack), Netty alone / Vert.x alone: 1 conn, p50 | – | – | $(v c1.netty.p50) / $(v c1.stack.p50) | +$k50 / +$s50 over direct | – | |
| Stack floors: 32 / 64 conns, req/s | – | – | Netty $(v c32.netty.rps) / $(v c64.netty.rps)$(errs c64.netty); Vert.x $(v c32.stack.rps) / $(v c64.stack.rps)$(errs c64.stack) | at 64: $k64 / $s64 % of nginx; Airlock is $sa64 % of Vert.x alone | – | |
| Stack floors: 64 conns, CPU per request (user + system) | – | – | $(v c64.netty.cpu_us) / $(v c64.stack.cpu_us) | Airlock's pipeline adds $(diff_of c64.airlock.cpu_us c64.stack.cpu_us) to Vert.x alone | – | |
| Stack floors: stream TTFT p50 | – | – | $(v stream.netty.ttft_p50) / $(v stream.stack.ttft_p50)$(errs stream.stack) | +$kttft / +$sttft over direct | – | |
EOF
}

# Share of the machine's CPU used by processes other than this run, in %, from /proc/stat deltas.
others_cpu_pct() {
  local now ours
  read -r -a now <<< "$(cpu_ticks)"
  read -r -a before <<< "$CPU_BEFORE"
  ours=$(($(own_ticks) - OURS_BEFORE))
  local pct=$(( 100 * (now[0] - before[0] - ours) / (now[1] - before[1] + 1) ))
  echo $(( pct < 0 ? 0 : pct ))   # tick rounding can put ours a hair above the machine's total
}

append_benchmarks() { # table
  local file="$root/BENCHMARKS.md" cpu dirty=""
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  [ -n "$(git -C "$root" status --porcelain -- src pom.xml 2>/dev/null)" ] && dirty=" (with uncommitted changes in src/)"
  # a run that built the jar says what it was built from; one given a jar says what the tree holds now
  [ -n "${BUILT_COMMIT:-}" ] && dirty="${BUILT_DIRTY}"
  [ -f "$file" ] || printf '# Benchmarks\n\nRuns of `bench/run.sh`, newest last.\n' > "$file"
  cat >> "$file" <<EOF

## Run of $(date -u '+%Y-%m-%d %H:%M UTC')

- Command: \`$(env | grep '^BENCH_[A-Z_]*=' | grep -v '^BENCH_KEY=' | sed 's/=\(.*\)/="\1"/' | sort | tr '\n' ' ')bench/run.sh\`
- Airlock: commit ${BUILT_COMMIT:-$(git -C "$root" rev-parse --short HEAD)}$dirty; gateway JVM flags: \`$AIRLOCK_FLAGS\`; socket transport: $(gateway_transport)
- Machine: $(nproc) cores, $cpu, $(free -g | awk '/^Mem/ {print $2}') GB RAM, Linux $(uname -r); idle: $(idle_policy)
- JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p); $("$NGINX" -v 2>&1 | sed 's/.*: //'); wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}')
- Other load: the 1/5/15-min load average was $LOAD_BEFORE before the run; other processes used
  ${R[others]:-?} % of the machine's CPU during it. Absolute figures move with that; compare within a run.
- Pipeline on: virtual-key auth (required), parse, classification (rules + pii, secrets, custom term
  detectors), RPM/TPM limits of the key and of its tenant (${BENCH_RPM:-100000000} / ${BENCH_TPM:-100000000000}),
  residency policy, routing/relay, ledger (SQLite file), metrics, decision record. Off: budgets (the
  canned deployment is unpriced, as self-hosted ones are; priced answers also write a spend row).
- Load: wrk ${WARM} s warm-up + ${SECS} s per run; fixed rate by bench/src/Loadgen.java (16 keep-alive
  connections, latency from the intended send time; "at the wire": the same runs timed from each
  request's first packet to its response's first packet by tcpdump and bench/src/WireLatency.java;
  the forward and back legs: a separate 1-connection run per proxy, split by bench/src/WireLegs.java);
  everything on loopback, sharing the same cores. The Java clients run with -XX:TieredStopAtLevel=1.

$1
EOF
}

# Where the gateway's sampled CPU went (inclusive: a sample counts for every stage on its stack).
jfr_breakdown() { # recording
  "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 96 "$1" | awk '
    BEGIN {
      n = split("event-loop threads|vert.x-eventloop;ledger writer and store|airlock-ledger-writer,H2-,MVStore,org.sqlite;" \
        "classification (detectors)|dev.airlock.classify;token counting (jtokkit)|com.knuddels.jtokkit;" \
        "rate limits and budgets|dev.airlock.policy.limits;JSON (Jackson)|com.fasterxml.jackson;" \
        "HTTP codec (Netty/Vert.x)|io.netty.handler.codec.http,io.vertx.core.http.impl;metrics (Micrometer)|io.micrometer;" \
        "cross-event-loop wakeups|NioIoHandler.wakeup;socket I/O|SocketChannelImpl", rows, ";")
      for (i = 1; i <= n; i++) { split(rows[i], kv, "|"); name[i] = kv[1]; pat[i] = kv[2] }
    }
    /jdk.ExecutionSample/ { if (stack != "") tally(); stack = "x"; next }
    { stack = stack $0 }
    END { if (stack != "") tally(); for (i = 1; i <= n; i++) printf "  %-30s %5.1f %%\n", name[i], 100 * hit[i] / total; print "  (" total " samples)" }
    function tally(   i, m, p, j) {
      total++
      for (i = 1; i <= n; i++) { m = split(pat[i], p, ","); for (j = 1; j <= m; j++) if (index(stack, p[j])) { hit[i]++; break } }
    }'
}
