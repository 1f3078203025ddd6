--[[
  Hands the main program the outcomes of a job that finished since it last looked, once at
  least `need` chunks are finished in all or one failed; otherwise registers it to wait.

  Input:
    KEYS[1] pool
    ARGV[1] job id
    ARGV[2] cursor: how many outcomes the caller has
    ARGV[3] finished count to wait for
    ARGV[4] waiter id ('' to not wait)
    ARGV[5] key TTL in milliseconds

  Output:
    {index1, outcome1, ...}; {} when the caller must wait; {-1} when the pool was terminated
]]
--@include wake
--@include pool
local prefix, job = KEYS[1], ARGV[1]
if redis.call('HGET', prefix, 'state') == 'terminated' then return {-1} end
local jobKey = prefix .. ':job:' .. job
local counts = redis.call('HMGET', jobKey, 'finished', 'failed')
local finished, failed = tonumber(counts[1] or '0'), tonumber(counts[2] or '0')
local cursor = tonumber(ARGV[2])
if finished > cursor and (finished >= tonumber(ARGV[3]) or failed > 0) then
  local indices = redis.call('LRANGE', prefix .. ':order:' .. job, cursor, -1)
  local entries = {}
  for _, index in ipairs(indices) do
    entries[#entries + 1] = tonumber(index)
    entries[#entries + 1] = redis.call('HGET', prefix .. ':done:' .. job, index)
  end
  return entries
end
if ARGV[4] ~= '' then
  local collectors = prefix .. ':collectors:' .. job
  redis.call('ZADD', collectors, tonumber(ARGV[3]), ARGV[4])
  touch(collectors, ARGV[5])
end
return {}
