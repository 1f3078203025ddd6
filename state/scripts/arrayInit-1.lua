--[[
  Creates a shared array: the given bytes, or `length` zero bytes allocated here (not sent).

  Input:
    KEYS[1] array bytes
    ARGV[1] length in bytes
    ARGV[2] the initial bytes ('' for zeros)
    ARGV[3] key TTL in milliseconds

  Output:
    1
]]
--@once
local length = tonumber(ARGV[1])
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], '', 'PX', ARGV[3])
  if length > 0 then redis.call('SETRANGE', KEYS[1], length - 1, '\0') end
end
return 1
