--[[
  Decrements a semaphore above zero; otherwise registers the waiter.

  Input:
    KEYS[1] semaphore value (missing: the initial value)
    KEYS[2] waiters of the semaphore
    ARGV[1] initial value
    ARGV[2] waiter id ('' to not wait)
    ARGV[3] key TTL in milliseconds

  Output:
    1  acquired
    0  the value is zero (the waiter is registered)
]]
--@once
--@include wake
local value = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if value > 0 then
  redis.call('SET', KEYS[1], value - 1, 'PX', ARGV[3])
  if ARGV[2] ~= '' then redis.call('LREM', KEYS[2], 0, ARGV[2]) end
  return 1
end
enqueue(KEYS[2], ARGV[2], ARGV[3])
return 0
