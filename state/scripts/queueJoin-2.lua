--[[
  Whether every task put on a JoinableQueue is done; if not, registers the caller to be woken.

  Input:
    KEYS[1] queue unfinished-task counter
    KEYS[2] waiters of join()
    ARGV[1] waiter id ('' to not wait)
    ARGV[2] key TTL in milliseconds

  Output:
    1  no unfinished tasks
    0  some remain (the waiter is registered)
]]
--@include wake
if tonumber(redis.call('GET', KEYS[1]) or '0') <= 0 then return 1 end
enqueue(KEYS[2], ARGV[1], ARGV[2])
return 0
