--[[
  Inserts a value before index i, as Python's list.insert (negative i counts from the end;
  out-of-range i inserts at the nearest end).

  Input:
    KEYS[1] list
    ARGV[1] index
    ARGV[2] encoded value
    ARGV[3] key TTL in milliseconds

  Output:
    the new length
]]
--@once
local length = redis.call('LLEN', KEYS[1])
local index = tonumber(ARGV[1])
if index < 0 then index = math.max(length + index, 0) end
local result
if index >= length then
  result = redis.call('RPUSH', KEYS[1], ARGV[2])
elseif index == 0 then
  result = redis.call('LPUSH', KEYS[1], ARGV[2])
else
  local tail = redis.call('LRANGE', KEYS[1], index, -1)
  redis.call('LTRIM', KEYS[1], 0, index - 1)
  redis.call('RPUSH', KEYS[1], ARGV[2])
  result = redis.call('RPUSH', KEYS[1], unpack(tail))
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return result
