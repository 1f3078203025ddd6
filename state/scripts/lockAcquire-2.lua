--[[
  Takes a lock for an owner, re-entering it for an RLock's owner; otherwise registers the waiter.
  A lock held with a lease expires unless renewed, so a dead holder cannot keep it forever.

  Input:
    KEYS[1] lock hash: owner, count
    KEYS[2] waiters of the lock
    ARGV[1] owner id
    ARGV[2] '1' for an RLock (owner-aware, re-entrant)
    ARGV[3] lease in milliseconds (0: no lease, the run's TTL instead)
    ARGV[4] waiter id ('' to not wait)
    ARGV[5] key TTL in milliseconds
    ARGV[6] recursion count to take the lock with (a Condition restoring its RLock), default 1

  Output:
    1  acquired
    0  held by another owner (the waiter is registered)
]]
--@once
--@include wake
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then
  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'count', ARGV[6] or 1)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) > 0 and ARGV[3] or ARGV[5])
  if ARGV[4] ~= '' then redis.call('LREM', KEYS[2], 0, ARGV[4]) end
  return 1
end
if owner == ARGV[1] and ARGV[2] == '1' then
  redis.call('HINCRBY', KEYS[1], 'count', 1)
  return 1
end
enqueue(KEYS[2], ARGV[4], ARGV[5])
return 0
