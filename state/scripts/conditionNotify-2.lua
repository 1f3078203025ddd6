--[[
  Wakes up to n waiters of a condition, oldest first; the caller must hold the lock.

  Input:
    KEYS[1] lock hash: owner, count
    KEYS[2] waiters of the condition
    ARGV[1] owner id
    ARGV[2] n (negative: all)
    ARGV[3] wake-up key prefix
    ARGV[4] key TTL in milliseconds

  Output:
    the number of waiters woken, or -1 when the caller does not hold the lock
]]
--@once
--@include wake
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return -1 end
return wake(KEYS[2], ARGV[3], tonumber(ARGV[2]), ARGV[4])
