--[[
  Stores the state of an object of a registered class (BaseManager.register).

  Input:
    KEYS[1] the object's state
    ARGV[1] encoded state
    ARGV[2] key TTL in milliseconds

  Output:
    1
]]
--@once
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
