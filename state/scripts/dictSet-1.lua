--[[
  Sets fields of a manager dict.

  Input:
    KEYS[1] dict hash
    ARGV[1] key TTL in milliseconds
    ARGV[2..] field, value, field, value…

  Output:
    1
]]
--@once
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
