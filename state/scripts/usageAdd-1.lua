--[[
  Adds one invocation's figures to its run's usage (the cost report).

  Input:
    KEYS[1] usage hash: invocations, billedMs, gbMs, redisCommands
    ARGV[1] billed milliseconds
    ARGV[2] GB-milliseconds (billed milliseconds × memory in GB, rounded)
    ARGV[3] Redis commands the invocation sent
    ARGV[4] key TTL in milliseconds

  Output:
    the run's invocations so far
]]
redis.call('HINCRBY', KEYS[1], 'billedMs', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'gbMs', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'redisCommands', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return redis.call('HINCRBY', KEYS[1], 'invocations', 1)
