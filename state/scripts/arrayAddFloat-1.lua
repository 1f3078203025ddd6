--[[
  Adds to a float element of a shared array on the server (elements are big-endian).

  Input:
    KEYS[1] array bytes
    ARGV[1] byte offset of the element
    ARGV[2] 'f' (4-byte float) or 'd' (8-byte double)
    ARGV[3] delta
    ARGV[4] key TTL in milliseconds

  Output:
    the new value, as text with full precision
]]
--@once
local offset = tonumber(ARGV[1])
local format = ARGV[2] == 'f' and '>f' or '>d'
local size = ARGV[2] == 'f' and 4 or 8
local bytes = redis.call('GETRANGE', KEYS[1], offset, offset + size - 1)
if #bytes < size then bytes = bytes .. string.rep('\0', size - #bytes) end
local value = struct.unpack(format, bytes) + tonumber(ARGV[3])
redis.call('SETRANGE', KEYS[1], offset, struct.pack(format, value))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return string.format('%.17g', value)
