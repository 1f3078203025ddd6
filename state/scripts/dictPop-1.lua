--[[
  Removes a field of a dict and returns its value.

  Input:
    KEYS[1] dict hash
    ARGV[1] encoded key

  Output:
    the encoded value, or nil when the key was absent
]]
--@once
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then redis.call('HDEL', KEYS[1], ARGV[1]) end
return value
