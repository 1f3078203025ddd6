--[[
  Breaks a barrier (abort, a timeout, a failed action) or resets it. Parties waiting on the
  current generation get BrokenBarrierError; a reset then leaves an empty, unbroken barrier.

  Input:
    KEYS[1] barrier hash
    KEYS[2] waiters of the barrier
    ARGV[1] 'abort' or 'reset'
    ARGV[2] wake-up key prefix
    ARGV[3] key TTL in milliseconds

  Output:
    1
]]
--@once
--@include wake
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
local waiting = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
if ARGV[1] == 'abort' or waiting > 0 then
  redis.call('HSET', KEYS[1], 'result:' .. generation, 'broken')
end
if ARGV[1] == 'abort' then
  redis.call('HSET', KEYS[1], 'broken', 1)
else
  redis.call('HSET', KEYS[1], 'broken', 0, 'count', 0, 'generation', generation + 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
wake(KEYS[2], ARGV[2], -1, ARGV[3])
return 1
