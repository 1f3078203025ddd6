--[[
  Wakes up to n waiters of an object (after a state change made outside a script, such as
  a blocking pop).

  Input:
    KEYS[1] waiters list
    ARGV[1] wake-up key prefix
    ARGV[2] n (negative: all)
    ARGV[3] key TTL in milliseconds

  Output:
    the number of waiters woken
]]
--@include wake
return wake(KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3])
