--[[
  Appends an item to a queue unless it is full (then registers the waiter); a JoinableQueue
  also counts it as unfinished.

  Input:
    KEYS[1] queue items list
    KEYS[2] queue unfinished-task counter
    KEYS[3] waiters to put (woken when a get makes room)
    ARGV[1] encoded item
    ARGV[2] maxsize (0: unbounded)
    ARGV[3] key TTL in milliseconds (backstop for runs that never clean up)
    ARGV[4] '1' for a JoinableQueue
    ARGV[5] waiter id ('' to not wait)

  Output:
    1  appended
    0  the queue holds maxsize items already (the waiter is registered)
]]
--@once
--@include wake
local maxsize = tonumber(ARGV[2])
if maxsize > 0 and redis.call('LLEN', KEYS[1]) >= maxsize then
  enqueue(KEYS[3], ARGV[5], ARGV[3])
  return 0
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '1' then
  redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 1
