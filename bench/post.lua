-- wrk script: POSTs the JSON body in $BENCH_BODY and prints one machine-readable line at the end.
-- Latencies are in microseconds; errors count socket errors, timeouts and non-2xx answers.
-- Every request's last message ends with its own turn number, as bench/src/Loadgen.java does: the
-- gateway sees a new turn each time, as in real conversations, so nothing it caches by content
-- (token counts, classification findings) is hit for the last turn. All three paths get the same.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- the virtual key, sent on every path so requests are the same size everywhere
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end

-- split the body where the last message's content ends: its closing quote before "}\s*]\s*}"
local cut = body:match('()"%s*}%s*%]%s*}%s*$')
local head, tail = body, ""
if cut then head, tail = body:sub(1, cut - 1), body:sub(cut) end
local turn = 0
thread_tag = "a"  -- a global: setup() sets it per thread

local threads = 0
function setup(thread)  -- each thread numbers its own turns: a1, a2, ... and b1, b2, ...
  thread:set("thread_tag", string.char(97 + threads % 26) .. (threads >= 26 and threads or ""))
  threads = threads + 1
end

function request()
  turn = turn + 1
  if not cut then return wrk.format(nil, nil, nil, body) end
  return wrk.format(nil, nil, nil, head .. " (turn " .. thread_tag .. turn .. ")" .. tail)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f requests=%d errors=%d non2xx=%d timeouts=%d p50=%d p90=%d p99=%d p999=%d max=%d\n",
    summary.requests / (summary.duration / 1e6), summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
