--[[
  Sets an event and wakes every waiter.

  Input:
    KEYS[1] event flag
    KEYS[2] waiters of the event
    ARGV[1] wake-up key prefix
    ARGV[2] key TTL in milliseconds

  Output:
    1
]]
--@once
--@include wake
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
wake(KEYS[2], ARGV[1], -1, ARGV[2])
return 1
