--[[
  Sends a message on a connection: appends it for the reader and wakes whoever waits to see
  the connection readable (poll, wait).

  Input:
    KEYS[1] the messages of this direction
    KEYS[2] watchers of it (poll and wait register here)
    ARGV[1] encoded message
    ARGV[2] wake-up key prefix
    ARGV[3] key TTL in milliseconds

  Output:
    the number of messages waiting, this one included
]]
--@once
--@include wake
local length = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
wake(KEYS[2], ARGV[2], -1, ARGV[3])
return length
