--[[
  Adds to an integer element of a shared array on the server (wrapping on overflow, as C
  does) and answers the element's bytes: Lua numbers cannot hold every 64-bit value.

  Input:
    KEYS[1] array bytes
    ARGV[1] byte offset of the element
    ARGV[2] BITFIELD type (i8 … i64, u8 … u32)
    ARGV[3] the delta, as decimal text
    ARGV[4] the element's size in bytes

  Output:
    the element's bytes after the addition, big-endian
]]
--@once
local offset = tonumber(ARGV[1])
redis.call('BITFIELD', KEYS[1], 'OVERFLOW', 'WRAP', 'INCRBY', ARGV[2], offset * 8, ARGV[3])
return redis.call('GETRANGE', KEYS[1], offset, offset + tonumber(ARGV[4]) - 1)
