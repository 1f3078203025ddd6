--[[
  Records a chunk's outcome, unless another copy of it finished first, wakes the collectors
  whose wait is over, and claims the slot's next chunk (not a straggler copy) in the same round trip.

  Input:
    KEYS[1] pool
    KEYS[2] the records hash of the chunk's operations
    ARGV[1] wake-up key prefix
    ARGV[2] key TTL in milliseconds
    ARGV[3] chunk id ('<job>:<index>')
    ARGV[4] encoded outcome
    ARGV[5] '1' when the chunk succeeded, '0' when it failed
    ARGV[6] lease (ms)
    ARGV[7] '1' to claim the slot's next chunk, '0' when the worker is leaving (draining)
    ARGV[8] how long those records outlive the outcome (ms)

  Output:
    what claim() returns for the next chunk (none when draining)
]]
--@include wake
--@include pool
local prefix, wakePrefix, ttl, id = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local job, index = string.match(id, '^(.-):(%d+)$')
local done = prefix .. ':done:' .. job
local now = now_ms()
if redis.call('HSETNX', done, index, ARGV[4]) == 1 then
  local jobKey = prefix .. ':job:' .. job
  local order = prefix .. ':order:' .. job
  local durations = prefix .. ':durations:' .. job
  local collectors = prefix .. ':collectors:' .. job
  redis.call('RPUSH', order, index)
  local finished = redis.call('HINCRBY', jobKey, 'finished', 1)
  if ARGV[5] == '0' then redis.call('HINCRBY', jobKey, 'failed', 1) end
  local started = tonumber(redis.call('ZSCORE', prefix .. ':started', id) or '0')
  if started > 0 then redis.call('ZADD', durations, now - started, index) end
  -- Collectors wait for a count of finished chunks; a failure ends every wait (first error wins).
  local woken
  if ARGV[5] == '0' then woken = redis.call('ZRANGE', collectors, 0, -1)
  else woken = redis.call('ZRANGEBYSCORE', collectors, '-inf', finished) end
  wakeCollectors(collectors, woken, wakePrefix, ttl)
  if finished == 1 then
    for _, key in ipairs({done, order, durations}) do touch(key, ttl) end
  end
end
redis.call('ZREM', prefix .. ':leases', id)
redis.call('ZREM', prefix .. ':started', id)
redis.call('HDEL', prefix .. ':calls', id)
redis.call('SREM', prefix .. ':copies', id)
redis.call('PEXPIRE', KEYS[2], ARGV[8])
-- Straggler copies are left to the worker's own claims for its idle slots: looking for them on
-- every completion would cost the most exactly when a map's many last chunks finish together.
return claim(prefix, ARGV[7] == '1' and 1 or 0, tonumber(ARGV[6]), '', ttl, false, now)
