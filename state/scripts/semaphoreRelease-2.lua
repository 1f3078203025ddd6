--[[
  Increments a semaphore by n and wakes up to n waiters; a bounded one refuses to pass its bound.

  Input:
    KEYS[1] semaphore value (missing: the initial value)
    KEYS[2] waiters of the semaphore
    ARGV[1] initial value
    ARGV[2] n
    ARGV[3] bound (0: unbounded)
    ARGV[4] wake-up key prefix
    ARGV[5] key TTL in milliseconds

  Output:
    the new value, or -1 when the bound would be exceeded (nothing changed)
]]
--@once
--@include wake
local value = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local n = tonumber(ARGV[2])
local bound = tonumber(ARGV[3])
if bound > 0 and value + n > bound then return -1 end
redis.call('SET', KEYS[1], value + n, 'PX', ARGV[5])
wake(KEYS[2], ARGV[4], n, ARGV[5])
return value + n
