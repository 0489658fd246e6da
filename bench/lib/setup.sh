# Sourced by bench/run.sh: tools, build, generated configs, and the processes under test.
# Expects: $root (repo), $here (bench/), $tmp (scratch dir), $P (base port).

PORT_UPSTREAM=$((P + 1)) PORT_FLOOR=$((P + 2)) PORT_SSE=$((P + 3)) PORT_AIRLOCK=$((P + 4))
PORT_SIMHOST=$((P + 5)) PORT_SIM=$((P + 6)) PORT_SLOW=$((P + 7)) PORT_SIM_FLOOR=$((P + 8))
# bench/stack: the same proxy on Vert.x alone (StackFloor) and on Netty alone (NettyFloor), no pipeline,
# each to the canned upstream and to the simulator
PORT_STACK=$((P + 9)) PORT_STACK_SIM=$((P + 10)) PORT_NETTY=$((P + 11)) PORT_NETTY_SIM=$((P + 12))
# a second gateway, the same config except server.spin_us (its event loops poll before they sleep)
PORT_SPIN=$((P + 13)) SPIN_US=${BENCH_SPIN_US:-100} PORT_COLLECTOR=$((P + 14))
MASTER="bench-master-$RANDOM$RANDOM"
started_pids=()

need_tools() {
  local missing=()
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)   # /usr/sbin is not on every user's PATH
  [ -x "$NGINX" ] || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  # tcpdump times the fixed-rate runs at the wire as well; it needs root, so only root installs it
  [ "$(id -u)" = 0 ] && ! command -v tcpdump >/dev/null 2>&1 && missing+=(tcpdump)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} from the Debian packages..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  else
    echo "The benchmark needs ${missing[*]}: install them (Debian/Ubuntu: sudo apt-get install -y ${missing[*]}) and rerun bench/run.sh." >&2
    exit 1
  fi
}

build() {
  echo "Building Airlock (./mvnw -q -DskipTests package)..."
  # what the jar is built from, read now: the report is written at the end, after edits made during the run
  BUILT_COMMIT=$(git -C "$root" rev-parse --short HEAD)
  BUILT_DIRTY=""
  [ -n "$(git -C "$root" status --porcelain -- src pom.xml 2>/dev/null)" ] && BUILT_DIRTY=" (with uncommitted changes in src/)"
  (cd "$root" && ./mvnw -q -DskipTests package 2>&1 | grep -v '^WARNING' || true)
  [ -f "$root/target/airlock.jar" ] || { echo "The build failed; run ./mvnw package to see why." >&2; exit 1; }
  mkdir -p "$tmp/classes"
  "$JAVA_HOME/bin/javac" -q -d "$tmp/classes" "$here"/src/*.java 2>/dev/null || "$JAVA_HOME/bin/javac" -d "$tmp/classes" "$here"/src/*.java
  # the stack floors are compiled against the gateway's own Vert.x and Netty, and its choice of transport
  mkdir -p "$tmp/stack-classes"
  "$JAVA_HOME/bin/javac" -d "$tmp/stack-classes" -cp "$root/target/airlock.jar:$root/target/lib/*" "$here"/stack/*.java
}

# The launcher's own flags, so the gateway is measured exactly as ./airlock runs it.
launcher_flags() {
  local flags
  flags=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$root/airlock" | sed -n 's/.*bin\/java" \(.*\) \${AIRLOCK_JAVA_OPTS.*/\1/p' | tr -s ' ' | sed 's/^ //; s/ $//')
  [ -n "$flags" ] || { echo "Could not read the JVM flags from ./airlock (its exec line changed?)." >&2; exit 1; }
  echo "$flags"
}

write_configs() {
  local reply sse
  # a realistic non-streamed answer; no '$' (nginx would expand it) and no single quotes
  reply='{"id":"chatcmpl-canned","object":"chat.completion","created":1767225600,"model":"canned-model","choices":[{"index":0,"message":{"role":"assistant","content":"Use 32 MB parts with a concurrency of 8: that keeps the number of parts per shard low while staying well under the client memory limit. Roll it out behind the job config flag, run it on one shard tonight, and compare the write phase time with last night before switching all shards."},"finish_reason":"stop"}],"usage":{"prompt_tokens":230,"completion_tokens":62,"total_tokens":292}}'
  sse=""
  for tok in "Use" " 32" " MB" " parts" " with" " a" " concurrency" " of" " 8."; do
    sse+='data: {"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1767225600,"model":"canned-model","choices":[{"index":0,"delta":{"content":"'"$tok"'"},"finish_reason":null}]}'$'\n\n'
  done
  sse+='data: {"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1767225600,"model":"canned-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}'$'\n\n'
  sse+='data: {"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1767225600,"model":"canned-model","choices":[],"usage":{"prompt_tokens":230,"completion_tokens":9,"total_tokens":239}}'$'\n\n'
  sse+='data: [DONE]'$'\n\n'
  # The slow streams reach their simulator over HTTP/2 (h2c), a few multiplexed connections, unless
  # BENCH_STREAM_HTTP2=0: over HTTP/1.1 each stream holds an upstream socket as well as its client's,
  # and 10,000 of each do not fit a process limited to 20,000 open files (as this container is).
  STREAM_HTTP2=$([ "${BENCH_STREAM_HTTP2:-1}" = 0 ] && echo false || echo true)
  # BENCH_STREAM_SPREAD > 1 puts several deployments of the same slow simulator behind the route,
  # each with its own connection pool: a diagnostic to see past a per-deployment pool limit
  local i slow_deployments="" slow_ids=""
  for i in $(seq "${BENCH_STREAM_SPREAD:-1}"); do
    slow_deployments+="  - { id: slow-sim-$i, provider: openai, model: glm5, zone: on-prem, release: sim@1, http2: $STREAM_HTTP2, base_url: \"http://127.0.0.1:$PORT_SLOW/v1\" }"$'\n'
    slow_ids+="${slow_ids:+, }slow-sim-$i"
  done
  mkdir -p "$tmp/nginx"
  cat > "$tmp/nginx.conf" <<EOF
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
  keepalive_requests 1000000;   # the default (1000) would make wrk reconnect during runs
  upstream canned { server 127.0.0.1:$PORT_UPSTREAM; keepalive 64; }
  upstream sim { server 127.0.0.1:$PORT_SIM; keepalive 64; }
  server {   # the upstream: a canned chat.completion, as cheap as an upstream can be
    listen 127.0.0.1:$PORT_UPSTREAM;
    default_type application/json;
    location / { return 200 '$reply'; }
  }
  server {   # the floor: one plain reverse-proxy hop with pooled upstream connections
    listen 127.0.0.1:$PORT_FLOOR;
    location / { proxy_pass http://canned; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {   # a canned SSE stream, to time the streaming relay without generation delays
    listen 127.0.0.1:$PORT_SSE;
    default_type text/event-stream;
    location / { return 200 '$sse'; }
  }
  server {   # the streaming floor: the same hop in front of the simulator, chunks passed on unbuffered
    listen 127.0.0.1:$PORT_SIM_FLOOR;
    location / { proxy_pass http://sim; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
  server {   # an OpenTelemetry collector that takes every export (bench/flags.sh "yaml=bench/telemetry.yaml ...")
    listen 127.0.0.1:$PORT_COLLECTOR;
    location / { return 200; }
  }
}
EOF

  # The gateway under test: every pipeline stage that exists today is on.
  cat > "$tmp/airlock.yaml" <<EOF
server: { host: 127.0.0.1, port: $PORT_AIRLOCK, transport: ${BENCH_TRANSPORT:-auto} }
zones:
  on-prem: { description: "loopback upstreams" }
  internet: { external: true }
residency:
  public: [on-prem, internet]
  internal: [on-prem]
  confidential: [on-prem]
  restricted: [on-prem]
deployments:
  - { id: canned, provider: openai, model: canned-model, zone: on-prem, release: canned@1, base_url: "http://127.0.0.1:$PORT_UPSTREAM/v1" }
  - { id: canned-sse, provider: openai, model: canned-model, zone: on-prem, release: canned@1, base_url: "http://127.0.0.1:$PORT_SSE/v1" }
  - { id: sim, provider: openai, model: glm5, zone: on-prem, release: sim@1, base_url: "http://127.0.0.1:$PORT_SIM/v1" }
${slow_deployments}routes:
  bench: { deployments: [canned] }
  bench-sse: { deployments: [canned-sse] }
  stream-sim: { deployments: [sim] }
  slow-sim: { deployments: [$slow_ids] }
classify:
  rules:
    - { task: [code-review, security-audit, refactoring], at_least: confidential }
    - { path: "src/core/**", at_least: confidential }
  detectors:
    pii: { at_least: confidential, phone_region: US }
    secrets: { at_least: restricted }
    custom:
      - { name: projects, terms: [Bluebird, Falcon, Kestrel, Osprey, Heron, Nightjar], at_least: internal }
# Callers need a virtual key (created by create_key below), and both the key and its tenant carry
# RPM/TPM limits high enough never to refuse, so the limiter's full work is on the path.
auth: { require_keys: true }
admin: { master_key: "\${AIRLOCK_MASTER_KEY}" }
tenants:
  bench: { default: public, rpm: ${BENCH_RPM:-100000000}, tpm: ${BENCH_TPM:-100000000000} }
store: { url: "jdbc:sqlite:$tmp/gateway.db" }
ledger: { spill_dir: "$tmp/gateway-spill" }
routing:
  retries: 2
  backoff_base_ms: 100
  backoff_max_ms: 2000
  cooldown_failures: 3
  cooldown_ms: 30000
  timeouts: { connect_ms: 2000, first_token_ms: 30000, idle_ms: 30000, total_ms: 300000 }
EOF
  # the spinning gateway: its own port, store and spill directory (two processes on one SQLite file would
  # contend for its lock), and its loops polling SPIN_US µs before they sleep
  sed -e "s/port: $PORT_AIRLOCK, transport: \([a-z_]*\) }/port: $PORT_SPIN, transport: \1, spin_us: $SPIN_US }/" \
      -e "s#$tmp/gateway.db#$tmp/gateway-spin.db#; s#$tmp/gateway-spill#$tmp/gateway-spin-spill#" "$tmp/airlock.yaml" > "$tmp/airlock-spin.yaml"
  grep -q "spin_us: $SPIN_US" "$tmp/airlock-spin.yaml" || { echo "Could not derive the spinning gateway's config." >&2; exit 1; }

  # A second Airlock process only hosts the simulators, so the gateway's RSS and CPU are its own.
  cat > "$tmp/simhost.yaml" <<EOF
server: { host: 127.0.0.1, port: $PORT_SIMHOST }
zones: { on-prem: {} }
residency: { public: [on-prem], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
deployments:
  - { id: fast, provider: simulator, model: glm5, zone: on-prem, simulator: { ttft_ms: 10, tokens_per_second: 500, jitter: 0, max_tokens: 16, port: $PORT_SIM } }
  - { id: slow, provider: simulator, model: glm5, zone: on-prem, simulator: { ttft_ms: 1000, tokens_per_second: 2, jitter: 0, max_tokens: 40, port: $PORT_SLOW } }
routes:
  fast: { deployments: [fast] }
  slow: { deployments: [slow] }
store: { url: "jdbc:sqlite:$tmp/simhost.db" }
ledger: { spill_dir: "$tmp/simhost-spill" }
EOF

  # request bodies: the ~1 KB chat request, per route and streamed or not
  cp "$here/request.json" "$tmp/plain.json"
  sed 's/"stream": false/"stream": true, "stream_options": {"include_usage": true}/' "$here/request.json" > "$tmp/sse-bench.json"
  sed 's/"model": "bench"/"model": "bench-sse"/' "$tmp/sse-bench.json" > "$tmp/sse.json"
  sed 's/"model": "bench"/"model": "stream-sim"/' "$tmp/sse-bench.json" > "$tmp/stream.json"
  sed 's/"model": "bench"/"model": "glm5"/' "$tmp/sse-bench.json" > "$tmp/stream-direct.json"
  sed 's/"model": "bench"/"model": "slow-sim"/' "$tmp/sse-bench.json" > "$tmp/slow.json"
}

start_bg() { # name, command...: runs in the background, logs to $tmp/name.log, remembers the pid
  local name=$1; shift
  "$@" > "$tmp/$name.log" 2>&1 &
  started_pids+=($!)
  eval "PID_${name//-/_}=$!"
}

wait_http() { # url, what
  for _ in $(seq 1 150); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "$2 did not come up; its log:" >&2
  tail -20 "$tmp/$3.log" >&2
  exit 1
}

start_all() {
  local flags; flags=$(launcher_flags)
  AIRLOCK_FLAGS="${BENCH_FLAGS:-$flags}${BENCH_JAVA_OPTS:+ $BENCH_JAVA_OPTS}"
  start_bg nginx "$NGINX" -p "$tmp" -c "$tmp/nginx.conf"
  # the simulator keeps every request it received (for tests), so it gets a heap that outlasts the run
  # shellcheck disable=SC2086 # the flags are a word list on purpose
  start_bg simhost "$JAVA_HOME/bin/java" $flags -Xmx4g -jar "$root/target/airlock.jar" serve --config "$tmp/simhost.yaml"
  # shellcheck disable=SC2086
  AIRLOCK_MASTER_KEY=$MASTER start_bg airlock "$JAVA_HOME/bin/java" $AIRLOCK_FLAGS -jar "$root/target/airlock.jar" serve --config "$tmp/airlock.yaml"
  # shellcheck disable=SC2086
  AIRLOCK_MASTER_KEY=$MASTER start_bg spin "$JAVA_HOME/bin/java" $AIRLOCK_FLAGS -jar "$root/target/airlock.jar" serve --config "$tmp/airlock-spin.yaml"
  # shellcheck disable=SC2086
  start_bg stack "$JAVA_HOME/bin/java" $AIRLOCK_FLAGS -cp "$tmp/stack-classes:$root/target/airlock.jar" StackFloor \
    "$PORT_STACK=http://127.0.0.1:$PORT_UPSTREAM" "$PORT_STACK_SIM=http://127.0.0.1:$PORT_SIM"
  # shellcheck disable=SC2086
  start_bg netty "$JAVA_HOME/bin/java" $AIRLOCK_FLAGS -cp "$tmp/stack-classes:$root/target/airlock.jar" NettyFloor \
    "$PORT_NETTY=http://127.0.0.1:$PORT_UPSTREAM" "$PORT_NETTY_SIM=http://127.0.0.1:$PORT_SIM"
  wait_http "http://127.0.0.1:$PORT_UPSTREAM/" "nginx" nginx
  wait_http "http://127.0.0.1:$PORT_SIMHOST/health/ready" "the simulator host" simhost
  wait_http "http://127.0.0.1:$PORT_AIRLOCK/health/ready" "Airlock" airlock
  wait_http "http://127.0.0.1:$PORT_SPIN/health/ready" "Airlock (spin_us: $SPIN_US)" spin
  wait_http "http://127.0.0.1:$PORT_STACK/health" "The stack floor" stack
  wait_http "http://127.0.0.1:$PORT_STACK_SIM/health" "The stack floor" stack
  wait_http "http://127.0.0.1:$PORT_NETTY/health" "The Netty floor" netty
  wait_http "http://127.0.0.1:$PORT_NETTY_SIM/health" "The Netty floor" netty
}

# Prints a new virtual key of tenant bench, with its own RPM/TPM limits, from the gateway on port $1.
create_key() {
  local reply key
  reply=$(curl -sf -H "Authorization: Bearer $MASTER" -H 'content-type: application/json' \
    --data '{"tenant": "bench", "name": "bench", "rpm": '"${BENCH_RPM:-100000000}"', "tpm": '"${BENCH_TPM:-100000000000}"'}' \
    "http://127.0.0.1:$1/admin/keys") || { echo "Could not create a virtual key on port $1; logs in $tmp" >&2; exit 1; }
  key=$(sed -n 's/.*"key" *: *"\(sk-airlock-[^"]*\)".*/\1/p' <<< "$reply")
  [ -n "$key" ] || { echo "The admin API answered without a key: $reply" >&2; exit 1; }
  echo "$key"
}

stop_all() {
  local pid
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# Samples a process's VmRSS (kB) every 0.5 s into a file until stopped; prints the sampler's pid.
rss_watch() { # pid, file
  ( while kill -0 "$1" 2>/dev/null; do awk '/^VmRSS/ {print $2}' "/proc/$1/status"; sleep 0.5; done ) > "$2" 2>/dev/null &
  echo $!
}
# The wire timings (bench/src/WireLatency.java for the fixed-rate runs, WireLegs.java for the legs at one
# connection): tcpdump records the filter's packets while the command runs. Without root (no capture on
# lo) the run goes on and the wire figures are "?".
wire_capable() { [ "$(id -u)" = 0 ] && command -v tcpdump >/dev/null 2>&1; }
with_wire() { # tcpdump filter, pcap file, command...: runs the command with that traffic captured; prints its output
  local filter=$1 file=$2 pid; shift 2
  if ! wire_capable; then "$@"; return; fi
  tcpdump -i lo -nn -s 128 -w "$file" "$filter" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do [ -s "$file" ] && break; sleep 0.02; done   # the file gets its header once capturing
  "$@"
  sleep 1.2   # libpcap hands packets over a block at a time, at the latest after 1 s: let the last one come
  kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
}

rss_max_mb() { sort -n "$1" | tail -1 | awk '{printf "%d", $1 / 1024}'; }

# The guest's idle policy. In a VM whose cpuidle driver is haltpoll, an idle vCPU polls for up to
# guest_halt_poll_ns before it halts; a halted vCPU exits to the host, and waking it costs tens of
# microseconds and a cold cache. At 1 connection every hop of a request wakes a peer, so this setting
# moves the 1-connection figures more than the gateway does (bench/HISTORY.md, tenth session).
gateway_transport() { # what the gateway runs its event loops on, from its start line
  local t; t=$(sed -n 's/.*; transport: \([a-z_]*\))$/\1/p' "$tmp/airlock.log" | head -1)
  echo "${t:-unknown} (server.transport: ${BENCH_TRANSPORT:-auto})"
}
HALT_POLL=/sys/module/haltpoll/parameters/guest_halt_poll_ns
idle_policy() { # one line for the report
  local driver; driver=$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)
  if [ "$driver" = haltpoll ] && [ -r "$HALT_POLL" ]; then
    local set=""
    [ -n "${HALT_POLL_WAS:-}" ] && set=" (set by BENCH_HALT_POLL_NS for this run; the machine has $HALT_POLL_WAS ns)"
    echo "cpuidle driver haltpoll, guest halt polling $(cat "$HALT_POLL") ns$set"
  else
    echo "cpuidle driver $driver"
  fi
}
# BENCH_HALT_POLL_NS: run with that guest halt-poll window (as root, haltpoll driver), restored on exit.
set_halt_poll() {
  [ -n "${BENCH_HALT_POLL_NS:-}" ] || return 0
  [[ "$BENCH_HALT_POLL_NS" =~ ^[0-9]+$ ]] || { echo "BENCH_HALT_POLL_NS must be a whole number of nanoseconds, not '$BENCH_HALT_POLL_NS'." >&2; exit 2; }
  [ -w "$HALT_POLL" ] || { echo "BENCH_HALT_POLL_NS needs root and the haltpoll cpuidle driver ($HALT_POLL is not writable here)." >&2; exit 2; }
  HALT_POLL_WAS=$(cat "$HALT_POLL")
  echo "$BENCH_HALT_POLL_NS" > "$HALT_POLL"
}
restore_halt_poll() { [ -n "${HALT_POLL_WAS:-}" ] && echo "$HALT_POLL_WAS" > "$HALT_POLL" || true; }
