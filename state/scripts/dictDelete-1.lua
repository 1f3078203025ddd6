--[[
  Deletes a field of a manager dict.

  Input:
    KEYS[1] dict hash
    ARGV[1] field

  Output:
    1 when the field was there, else 0
]]
--@once
return redis.call('HDEL', KEYS[1], ARGV[1])
