--[[
  Queues a job's chunks on a pool, once: a replayed submit of the same job changes nothing.
  Opens the pool and wakes its idle workers.

  Input:
    KEYS[1] pool
    ARGV[1] wake-up key prefix
    ARGV[2] key TTL in milliseconds
    ARGV[3] job id
    ARGV[4] straggler factor (0: no copies)
    ARGV[5] minimum run time (ms) before a chunk counts as a straggler
    ARGV[6..] encoded ChunkCall of each chunk, in order

  Output:
    the number of chunks queued (0 when the job was queued before)
]]
--@include wake
--@include pool
local prefix, ttl, job = KEYS[1], ARGV[2], ARGV[3]
local jobKey = prefix .. ':job:' .. job
if redis.call('EXISTS', jobKey) == 1 then return 0 end
if redis.call('HGET', prefix, 'state') == 'terminated' then return 0 end
redis.call('HSET', prefix, 'state', 'open')
local chunks = #ARGV - 5
redis.call('HSET', jobKey, 'chunks', chunks, 'finished', 0, 'failed', 0, 'factor', ARGV[4], 'minMs', ARGV[5])
redis.call('SADD', prefix .. ':jobids', job)
for i = 1, chunks do
  local id = job .. ':' .. (i - 1)
  redis.call('HSET', prefix .. ':calls', id, ARGV[5 + i])
  redis.call('RPUSH', prefix .. ':jobs', id)
end
for _, key in ipairs({prefix, jobKey, prefix .. ':jobids', prefix .. ':calls', prefix .. ':jobs'}) do touch(key, ttl) end
wake(prefix .. ':idle', ARGV[1], -1, ttl)
return chunks
