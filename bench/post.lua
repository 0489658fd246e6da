-- wrk script: POSTs the JSON body in $BENCH_BODY and prints one machine-readable line at the end.
-- Latencies are in microseconds; errors count socket errors, timeouts and non-2xx answers.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
-- the virtual key, sent on every path so requests are the same size everywhere
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f requests=%d errors=%d non2xx=%d timeouts=%d p50=%d p90=%d p99=%d p999=%d max=%d\n",
    summary.requests / (summary.duration / 1e6), summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
