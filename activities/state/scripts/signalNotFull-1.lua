--[[
  Tells blocked producers that a queue has room (after a blocking pop took an item).

  Input:
    KEYS[1] queue not-full signal list
    ARGV[1] maxsize (bounds the number of pending signals)
    ARGV[2] key TTL in milliseconds

  Output:
    1
]]
redis.call('RPUSH', KEYS[1], '1')
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
