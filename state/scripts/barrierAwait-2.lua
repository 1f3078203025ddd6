--[[
  How a barrier generation ended, if it did; if not, registers the waiter.

  Input:
    KEYS[1] barrier hash
    KEYS[2] waiters of the barrier
    ARGV[1] generation
    ARGV[2] waiter id ('' to not wait)
    ARGV[3] key TTL in milliseconds

  Output:
    'tripped' or 'broken', or nil while the generation is still open (the waiter is registered)
]]
--@include wake
local result = redis.call('HGET', KEYS[1], 'result:' .. ARGV[1])
if result then return result end
enqueue(KEYS[2], ARGV[2], ARGV[3])
return false
