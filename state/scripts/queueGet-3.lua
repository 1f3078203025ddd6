--[[
  Takes the oldest item of a queue, if any, and wakes one waiting putter: there is room now.
  An item a blocking get already moved aside for this operation (its held list) comes first.

  Input:
    KEYS[1] queue items list
    KEYS[2] waiters to put
    KEYS[3] this operation's held list (a blocking wait moves the item it got there)
    ARGV[1] wake-up key prefix
    ARGV[2] key TTL in milliseconds

  Output:
    the encoded item, or nil when the queue is empty
]]
--@once held=3 from=1
--@include wake
local item = redis.call('LPOP', KEYS[3]) or redis.call('LPOP', KEYS[1])
if not item then
  once_unchanged = true
  return nil
end
wake(KEYS[2], ARGV[1], 1, ARGV[2])
return item
