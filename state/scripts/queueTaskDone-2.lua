--[[
  Marks one task of a JoinableQueue done; when none are left, wakes every join().

  Input:
    KEYS[1] queue unfinished-task counter
    KEYS[2] waiters of join()
    ARGV[1] wake-up key prefix
    ARGV[2] key TTL in milliseconds

  Output:
    the number of unfinished tasks left, or -1 when there were none (task_done called too often)
]]
--@once
--@include wake
local unfinished = tonumber(redis.call('GET', KEYS[1]) or '0')
if unfinished <= 0 then return -1 end
unfinished = redis.call('DECR', KEYS[1])
if unfinished == 0 then wake(KEYS[2], ARGV[1], -1, ARGV[2]) end
return unfinished
