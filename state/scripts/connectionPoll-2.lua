--[[
  Whether a connection has a message to read; if not, registers the watcher, which the next
  send wakes. Nothing is consumed.

  Input:
    KEYS[1] the messages of this direction
    KEYS[2] watchers of it
    ARGV[1] watcher id ('' to not wait)
    ARGV[2] key TTL in milliseconds

  Output:
    1  readable
    0  not readable (the watcher is registered)
]]
--@include wake
if redis.call('LLEN', KEYS[1]) > 0 then return 1 end
enqueue(KEYS[2], ARGV[1], ARGV[2])
return 0
