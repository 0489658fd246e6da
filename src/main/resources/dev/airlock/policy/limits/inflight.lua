-- Requests in flight of one key or tenant, shared by the replicas, atomically.
-- KEYS[1] leases: ZSET, member = "<replica>:<seq>" (one request's slot), score = when its lease ends, in
--                 Redis's own milliseconds (TIME), so the replicas' clocks do not matter
-- ARGV[1] op ("acquire" | "renew"), ARGV[2] lease (ms)
-- acquire: ARGV[3] limit, ARGV[4] member  -> {1, in flight now} admitted, {0, in flight} full
-- renew:   ARGV[3..] members              -> {leases extended} (only those still there: a released or
--                                              expired slot is not brought back)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
if ARGV[1] == 'acquire' then
  -- the slots of a replica that died holding them end with their leases
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  local n = redis.call('ZCARD', KEYS[1])
  if n >= tonumber(ARGV[3]) then return {0, n} end
  redis.call('ZADD', KEYS[1], now + lease, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  return {1, n + 1}
end
local renewed = 0
for i = 3, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + lease, ARGV[i])
end
if renewed > 0 then redis.call('PEXPIRE', KEYS[1], lease * 2) end
return {renewed}
