--[[
  Removes the first occurrence of a value from a manager list.

  Input:
    KEYS[1] list
    ARGV[1] encoded value

  Output:
    1 when it was there, else 0
]]
--@once
return redis.call('LREM', KEYS[1], 1, ARGV[1])
