--[[
  A party arrives at a barrier: takes the next index of the current generation.

  Input:
    KEYS[1] barrier hash: count, generation, broken, result:<generation>
    ARGV[1] key TTL in milliseconds

  Output:
    { index, generation, broken (1/0) }; a broken barrier gives index -1
]]
--@once
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if redis.call('HGET', KEYS[1], 'broken') == '1' then return { -1, generation, 1 } end
local index = redis.call('HINCRBY', KEYS[1], 'count', 1) - 1
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return { index, generation, 0 }
