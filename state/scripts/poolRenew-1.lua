--[[
  Extends the leases of the chunks a pool worker is running, and tells it which to stop:
  another copy finished first, or the pool was terminated.

  Input:
    KEYS[1] pool
    ARGV[1] lease (ms)
    ARGV[2..] chunk ids

  Output:
    one flag per chunk id: 1 keep running, 0 stop and discard
]]
--@include wake
--@include pool
local prefix = KEYS[1]
local state = redis.call('HGET', prefix, 'state')
local terminated = state ~= 'open' and state ~= 'closed'
local deadline = now_ms() + tonumber(ARGV[1])
local keep = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if not terminated and redis.call('HEXISTS', prefix .. ':calls', id) == 1 then
    redis.call('ZADD', prefix .. ':leases', deadline, id)
    keep[#keep + 1] = 1
  else
    keep[#keep + 1] = 0
  end
end
return keep
