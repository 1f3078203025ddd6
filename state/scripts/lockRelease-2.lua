--[[
  Releases a lock (an RLock only by its owner, one recursion level at a time) and wakes one waiter.

  Input:
    KEYS[1] lock hash: owner, count
    KEYS[2] waiters of the lock
    ARGV[1] owner id
    ARGV[2] '1' for an RLock
    ARGV[3] wake-up key prefix
    ARGV[4] key TTL in milliseconds

  Output:
    2   released: the lock is free
    1   one recursion level less (an RLock still held)
    0   the lock was not held
    -1  an RLock held by another owner
]]
--@once
--@include wake
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then return 0 end
if ARGV[2] == '1' then
  if owner ~= ARGV[1] then return -1 end
  if redis.call('HINCRBY', KEYS[1], 'count', -1) > 0 then return 1 end
end
redis.call('DEL', KEYS[1])
wake(KEYS[2], ARGV[3], 1, ARGV[4])
return 2
