--[[
  Appends values to a list.

  Input:
    KEYS[1] list
    ARGV[1] key TTL in milliseconds
    ARGV[2..] encoded values

  Output:
    the new length
]]
--@once
local length = redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return length
