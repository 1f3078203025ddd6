--[[
  Whether an event is set; if not, registers the waiter.

  Input:
    KEYS[1] event flag
    KEYS[2] waiters of the event
    ARGV[1] waiter id ('' to not wait)
    ARGV[2] key TTL in milliseconds

  Output:
    1  set
    0  not set (the waiter is registered)
]]
--@include wake
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
enqueue(KEYS[2], ARGV[1], ARGV[2])
return 0
