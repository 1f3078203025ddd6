--[[
  Closes a pool (its workers leave once the queue is drained) or terminates it (queued
  chunks are dropped, running ones stopped at their next lease renewal, collectors woken).

  Input:
    KEYS[1] pool
    ARGV[1] 'closed' or 'terminated'
    ARGV[2] wake-up key prefix
    ARGV[3] key TTL in milliseconds

  Output:
    1
]]
--@once
--@include wake
--@include pool
local prefix, how, wakePrefix, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
if redis.call('HGET', prefix, 'state') == 'terminated' then return 1 end
redis.call('HSET', prefix, 'state', how)
touch(prefix, ttl)
if how == 'terminated' then
  redis.call('DEL', prefix .. ':jobs', prefix .. ':leases', prefix .. ':started')
  for _, job in ipairs(redis.call('SMEMBERS', prefix .. ':jobids')) do
    local collectors = prefix .. ':collectors:' .. job
    wakeCollectors(collectors, redis.call('ZRANGE', collectors, 0, -1), wakePrefix, ttl)
  end
end
wake(prefix .. ':idle', wakePrefix, -1, ttl)
return 1
