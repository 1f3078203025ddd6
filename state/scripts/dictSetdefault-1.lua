--[[
  Sets a field of a dict unless present, and returns the value it then has.

  Input:
    KEYS[1] dict hash
    ARGV[1] encoded key
    ARGV[2] encoded default value
    ARGV[3] key TTL in milliseconds

  Output:
    the encoded value of the field
]]
--@once
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('HGET', KEYS[1], ARGV[1])
