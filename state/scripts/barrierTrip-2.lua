--[[
  Ends a barrier generation as tripped (all parties arrived, the action ran) and wakes every party.

  Input:
    KEYS[1] barrier hash
    KEYS[2] waiters of the barrier
    ARGV[1] generation
    ARGV[2] wake-up key prefix
    ARGV[3] key TTL in milliseconds

  Output:
    1 tripped; 0 the generation had already ended (broken)
]]
--@once
--@include wake
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if generation ~= tonumber(ARGV[1]) or redis.call('HEXISTS', KEYS[1], 'result:' .. ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'result:' .. ARGV[1], 'tripped', 'count', 0, 'generation', tonumber(ARGV[1]) + 1)
wake(KEYS[2], ARGV[2], -1, ARGV[3])
return 1
