--[[
  Appends an item to a queue unless it is full.

  Input:
    KEYS[1] queue items list
    ARGV[1] encoded item
    ARGV[2] maxsize (0: unbounded)
    ARGV[3] key TTL in milliseconds (backstop for runs that never clean up)

  Output:
    1  appended
    0  the queue holds maxsize items already
]]
local maxsize = tonumber(ARGV[2])
if maxsize > 0 and redis.call('LLEN', KEYS[1]) >= maxsize then
  return 0
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
