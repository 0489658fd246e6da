-- The budget account of one scope and period, atomically. Same rules as LocalBudgetLedger.java.
-- Amounts are integer micro-dollars. All keys share one hash tag, so they live on one cluster slot.
-- KEYS[1] meta:  HASH spent, held (running sum of outstanding holds)
-- KEYS[2] holds: HASH reservation id -> amount
-- KEYS[3] exp:   ZSET reservation id -> deadline (ms): a crashed replica's hold stops counting then
-- KEYS[4] done:  ZSET settled or released id -> when (ms): makes settle and release idempotent
-- ARGV[1] op ("reserve" | "finish" | "spent"), ARGV[2] now (ms), ARGV[3] keep (ms, TTL of all four keys)
-- reserve: ARGV[4] id, ARGV[5] amount, ARGV[6] budget, ARGV[7] hold TTL  -> {accepted, spent, held}
-- finish:  ARGV[4] id, ARGV[5] actual cost, ARGV[6] done TTL              -> {applied, spent, held}
-- spent:                                                                 -> {spent, held}
local meta, holds, exp, done = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local op, now, keep = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

local spent = tonumber(redis.call('HGET', meta, 'spent')) or 0
local held = tonumber(redis.call('HGET', meta, 'held')) or 0

-- expire holds past their deadline; their cost, if a settle ever comes, is still charged then
local expired = redis.call('ZRANGEBYSCORE', exp, '-inf', now)
if #expired > 0 then
  for _, id in ipairs(expired) do
    local a = tonumber(redis.call('HGET', holds, id))
    if a then held = held - a; redis.call('HDEL', holds, id) end
  end
  redis.call('ZREMRANGEBYSCORE', exp, '-inf', now)
end

local result
if op == 'reserve' then
  local id, amount, budget, ttl = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  if spent + held + amount > budget then
    result = {0, spent, held}
  else
    redis.call('HSET', holds, id, amount)
    redis.call('ZADD', exp, now + ttl, id)
    result = {1, spent, held}
    held = held + amount
  end
elseif op == 'finish' then
  local id, actual, doneTtl = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
  redis.call('ZREMRANGEBYSCORE', done, '-inf', '(' .. (now - doneTtl))
  if redis.call('ZSCORE', done, id) then
    result = {0, spent, held}
  else
    local a = tonumber(redis.call('HGET', holds, id))
    if a then
      held = held - a
      redis.call('HDEL', holds, id)
      redis.call('ZREM', exp, id)
    end
    -- charged even if the hold expired or was never here (a replay of a local one): the cost was incurred
    spent = spent + actual
    redis.call('ZADD', done, now, id)
    result = {1, spent, held}
  end
elseif op == 'spent' then
  result = {spent, held}
else
  return redis.error_reply('unknown op ' .. tostring(op))
end

redis.call('HSET', meta, 'spent', spent, 'held', held)
for _, k in ipairs(KEYS) do redis.call('PEXPIRE', k, keep) end
return result
