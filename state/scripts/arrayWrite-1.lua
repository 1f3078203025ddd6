--[[
  Writes bytes into a shared array at a byte offset.

  Input:
    KEYS[1] array bytes
    ARGV[1] byte offset
    ARGV[2] the bytes

  Output:
    the array's length in bytes
]]
--@once
return redis.call('SETRANGE', KEYS[1], ARGV[1], ARGV[2])
