-- The sliding log of one rate-limit key, atomically. Same algorithm as SlidingLog.java: keep them in step.
-- KEYS[1] log:  ZSET, score = time (ms), member = "<seq>:<amount>"
-- KEYS[2] meta: HASH, sum = running sum of the log's amounts, last = newest time seen, seq = last entry id
-- ARGV[1] op ("acquire" | "adjust"), ARGV[2] now (ms), ARGV[3] window (ms), ARGV[4] key TTL (ms)
-- acquire: ARGV[5] limit, ARGV[6] amount            -> {allowed, remaining, resetMs, at, seq}
-- adjust:  ARGV[5] at, ARGV[6] seq, ARGV[7] delta    -> {applied}
local log, meta = KEYS[1], KEYS[2]
local op = ARGV[1]
local now, window, ttl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

local function amount_of(member) return tonumber(string.match(member, ':(%d+)$')) end
local function seq_of(member) return tonumber(string.match(member, '^(%d+):')) end

local sum = tonumber(redis.call('HGET', meta, 'sum'))
local seq = tonumber(redis.call('HGET', meta, 'seq'))
if not sum then
  -- meta lost (expired apart from the log, or deleted): rebuild it from the log so no entry is forgotten
  sum, seq = 0, 0
  for _, m in ipairs(redis.call('ZRANGE', log, 0, -1)) do
    sum = sum + amount_of(m)
    seq = math.max(seq, seq_of(m))
  end
end
seq = seq or 0

-- Monotonic time per key: a replica whose clock is behind is treated as calling at the newest time seen,
-- so entries are appended in time order and the bound holds across skewed clocks.
local last = tonumber(redis.call('HGET', meta, 'last'))
if last and now < last then now = last end

local cutoff = now - window
local expired = redis.call('ZRANGEBYSCORE', log, '-inf', cutoff)
if #expired > 0 then
  for _, m in ipairs(expired) do sum = sum - amount_of(m) end
  redis.call('ZREMRANGEBYSCORE', log, '-inf', cutoff)
end

local result
if op == 'acquire' then
  local limit, amount = tonumber(ARGV[5]), tonumber(ARGV[6])
  if amount <= limit and sum + amount <= limit then
    seq = seq + 1
    redis.call('ZADD', log, now, seq .. ':' .. amount)
    sum = sum + amount
    result = {1, math.max(0, limit - sum), 0, now, seq}
  else
    local reset = -1
    if amount <= limit then
      -- walk oldest first until enough has expired for this amount
      local need, freed = sum + amount - limit, 0
      local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
      reset = window
      for i = 1, #entries, 2 do
        freed = freed + amount_of(entries[i])
        if freed >= need then reset = tonumber(entries[i + 1]) + window - now; break end
      end
    end
    result = {0, math.max(0, limit - sum), reset, now, 0}
  end
elseif op == 'adjust' then
  local at, id, delta = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
  local applied = 0
  if delta > 0 then
    -- real usage beyond the estimate: counts from now, even past the limit
    seq = seq + 1
    redis.call('ZADD', log, now, seq .. ':' .. delta)
    sum = sum + delta
    applied = delta
  elseif at > cutoff then
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', log, at, at)) do
      if string.sub(m, 1, #id + 1) == id .. ':' then
        local a = amount_of(m)
        local cut = math.min(a, -delta)
        redis.call('ZREM', log, m)
        if a - cut > 0 then redis.call('ZADD', log, at, id .. ':' .. (a - cut)) end
        sum = sum - cut
        applied = -cut
        break
      end
    end
  end
  result = {applied}
else
  return redis.error_reply('unknown op ' .. tostring(op))
end

redis.call('HSET', meta, 'sum', sum, 'last', now, 'seq', seq)
-- idle keys vanish by themselves; the TTL outlives every entry, and a lost meta is rebuilt above
redis.call('PEXPIRE', log, ttl)
redis.call('PEXPIRE', meta, ttl)
return result
