--[[
  Removes and returns the value at index i, as Python's list.pop (negative i counts from the end).

  Input:
    KEYS[1] list
    ARGV[1] index
    ARGV[2] a marker no encoded value equals (MessagePack never starts with it)

  Output:
    the encoded value, or nil when the index is out of range
]]
--@once
local length = redis.call('LLEN', KEYS[1])
local index = tonumber(ARGV[1])
if index < 0 then index = length + index end
if index < 0 or index >= length then return false end
if index == 0 then return redis.call('LPOP', KEYS[1]) end
if index == length - 1 then return redis.call('RPOP', KEYS[1]) end
local value = redis.call('LINDEX', KEYS[1], index)
redis.call('LSET', KEYS[1], index, ARGV[2])
redis.call('LREM', KEYS[1], 1, ARGV[2])
return value
