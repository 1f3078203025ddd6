--[[
  Takes the oldest item of a queue, if any, and wakes one waiting putter: there is room now.

  Input:
    KEYS[1] queue items list
    KEYS[2] waiters to put
    ARGV[1] wake-up key prefix
    ARGV[2] key TTL in milliseconds

  Output:
    the encoded item, or nil when the queue is empty
]]
--@include wake
local item = redis.call('LPOP', KEYS[1])
if item then wake(KEYS[2], ARGV[1], 1, ARGV[2]) end
return item
