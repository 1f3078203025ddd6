-- A pool's job queue. `prefix` is the pool's key; its parts:
--   prefix                  hash: state ('open' | 'closed' | 'terminated')
--   prefix:jobs             list of chunk ids ('<job>:<index>') waiting, oldest first
--   prefix:calls            hash chunk id -> encoded ChunkCall, until the chunk is done
--   prefix:leases           zset chunk id -> lease deadline (ms); lapsed: its worker died
--   prefix:started          zset chunk id -> start time (ms) of a running chunk
--   prefix:copies           set of chunk ids that already have a straggler copy
--   prefix:idle             waiters list of pool workers with free slots
--   prefix:jobids           set of job ids, for terminate
--   prefix:job:<job>        hash: chunks, finished, failed, factor, minMs
--   prefix:done:<job>       hash index -> encoded outcome (the first result wins)
--   prefix:order:<job>      list of indices in completion order (what collectors read)
--   prefix:durations:<job>  zset index -> run time (ms), for the straggler median
--   prefix:collectors:<job> zset waiter -> finished count it waits for

local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function touch(key, ttl)
  redis.call('PEXPIRE', key, ttl)
end

-- Wakes the given collectors (members of a job's collectors zset).
local function wakeCollectors(collectors, waiters, wakePrefix, ttl)
  for _, waiter in ipairs(waiters) do
    redis.call('ZREM', collectors, waiter)
    signal(wakePrefix, waiter, ttl)
  end
end

-- Leases `id` to the caller and appends it with its call to `claimed`; false when it is done already.
local function lease(prefix, id, now, leaseMs, claimed)
  local call = redis.call('HGET', prefix .. ':calls', id)
  if not call then return false end
  redis.call('ZADD', prefix .. ':leases', now + leaseMs, id)
  redis.call('ZADD', prefix .. ':started', now, id)
  claimed[#claimed + 1] = id
  claimed[#claimed + 1] = call
  return true
end

-- The median run time of a job's finished chunks, or nil before the first one finished.
local function median(prefix, job)
  local durations = prefix .. ':durations:' .. job
  local count = redis.call('ZCARD', durations)
  if count == 0 then return nil end
  local middle = math.floor(count / 2)
  return tonumber(redis.call('ZRANGE', durations, middle, middle, 'WITHSCORES')[2])
end

-- How many of the longest-running chunks are looked at for stragglers: a straggler is among the
-- oldest, and the look stays cheap however many chunks run.
local STRAGGLER_CANDIDATES = 32

-- Chooses running chunks that have run longer than `factor` x their job's median (and minMs) for a copy.
-- Returns the ms until the next running chunk could become a straggler (nil: none can).
local function copyStragglers(prefix, count, now, claimed)
  local running = redis.call('ZRANGE', prefix .. ':started', 0, STRAGGLER_CANDIDATES - 1, 'WITHSCORES')
  local thresholds = {}
  local soonest = nil
  for i = 1, #running, 2 do
    if #claimed >= count * 2 then break end
    local id = running[i]
    local job = string.match(id, '^(.-):')
    if thresholds[job] == nil then
      local spec = redis.call('HMGET', prefix .. ':job:' .. job, 'factor', 'minMs')
      local factor, typical = tonumber(spec[1] or '0'), nil
      if factor > 0 then typical = median(prefix, job) end
      thresholds[job] = typical and math.max(factor * typical, tonumber(spec[2])) or false
    end
    local threshold = thresholds[job]
    if threshold and redis.call('SISMEMBER', prefix .. ':copies', id) == 0 then
      local due = tonumber(running[i + 1]) + threshold
      if now >= due then
        local call = redis.call('HGET', prefix .. ':calls', id)
        if call then
          redis.call('SADD', prefix .. ':copies', id)
          claimed[#claimed + 1] = id
          claimed[#claimed + 1] = call
        end
      elseif soonest == nil or due - now < soonest then
        soonest = due - now
      end
    end
  end
  return soonest
end

-- Claims up to `count` chunks: lapsed leases first (their workers died), then the queue in
-- order, then (when `stragglers`) straggler copies. Returns {status, hint, id1, call1, ...}: status 'run' when
-- something was claimed, 'wait' (the waiter registered; hint: ms until a straggler may be
-- due, or -1), or 'stop' (the pool is closed and drained, terminated, or gone).
local function claim(prefix, count, leaseMs, waiter, ttl, stragglers, now)
  local state = redis.call('HGET', prefix, 'state')
  if not state or state == 'terminated' then return {'stop', -1} end
  now = now or now_ms()
  local claimed = {}
  if count > 0 then
    local lapsed = redis.call('ZRANGEBYSCORE', prefix .. ':leases', '-inf', now, 'LIMIT', 0, count)
    for _, id in ipairs(lapsed) do
      if not lease(prefix, id, now, leaseMs, claimed) then redis.call('ZREM', prefix .. ':leases', id) end
    end
    while #claimed < count * 2 do
      local id = redis.call('LPOP', prefix .. ':jobs')
      if not id then break end
      lease(prefix, id, now, leaseMs, claimed)
    end
  end
  local hint = nil
  if stragglers and #claimed < count * 2 then hint = copyStragglers(prefix, count, now, claimed) end
  if #claimed > 0 then
    -- The keys expire with the pool's (set at submit, and here once they exist): one look, not three writes.
    if redis.call('PTTL', prefix .. ':leases') < 0 then
      for _, key in ipairs({prefix .. ':leases', prefix .. ':started', prefix .. ':copies'}) do touch(key, ttl) end
    end
    table.insert(claimed, 1, -1)
    table.insert(claimed, 1, 'run')
    return claimed
  end
  if state == 'closed' and redis.call('ZCARD', prefix .. ':leases') == 0 and redis.call('LLEN', prefix .. ':jobs') == 0 then
    return {'stop', -1}
  end
  if waiter ~= '' then enqueue(prefix .. ':idle', waiter, ttl) end
  return {'wait', hint or -1}
end
