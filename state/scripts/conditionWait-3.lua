--[[
  The first half of Condition.wait: releases the owner's lock entirely and registers the
  waiter on the condition, in one step, so a notify between the two cannot be lost.

  Input:
    KEYS[1] lock hash: owner, count
    KEYS[2] waiters of the lock
    KEYS[3] waiters of the condition
    ARGV[1] owner id
    ARGV[2] waiter id
    ARGV[3] wake-up key prefix
    ARGV[4] key TTL in milliseconds

  Output:
    the recursion count released (to restore on re-acquiring), or -1 when the owner does not hold the lock
]]
--@once
--@include wake
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return -1 end
local count = tonumber(redis.call('HGET', KEYS[1], 'count'))
redis.call('DEL', KEYS[1])
wake(KEYS[2], ARGV[3], 1, ARGV[4])
-- Not enqueue(): releasing the lock is this operation's effect, so its answer is recorded.
redis.call('RPUSH', KEYS[3], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return count
