--[[
  Replaces the element at an index of a manager list.

  Input:
    KEYS[1] list
    ARGV[1] index (negative from the end)
    ARGV[2] encoded value

  Output:
    1 replaced
    0 the index is out of range (or the list does not exist)
]]
--@once
local length = redis.call('LLEN', KEYS[1])
local index = tonumber(ARGV[1])
if index < -length or index >= length then return 0 end
redis.call('LSET', KEYS[1], index, ARGV[2])
return 1
