--[[
  Takes the oldest item of a queue, if any, and tells blocked producers there is room.

  Input:
    KEYS[1] queue items list
    KEYS[2] queue not-full signal list
    ARGV[1] maxsize (0: unbounded, no signal)
    ARGV[2] key TTL in milliseconds

  Output:
    the encoded item, or nil when the queue is empty
]]
local item = redis.call('LPOP', KEYS[1])
if item and tonumber(ARGV[1]) > 0 then
  redis.call('RPUSH', KEYS[2], '1')
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[1]) - 1)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return item
