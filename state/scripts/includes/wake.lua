-- Wakes one waiter by pushing a token on its wake-up list (`prefix` .. waiter id).
-- wake() does so for up to `n` waiters of a waiters list (n < 0: all of them), oldest first.
-- Wake-up lists are under the run's hash tag, so they share the caller's slot.
local function signal(prefix, waiter, ttl)
  redis.call('RPUSH', prefix .. waiter, '1')
  redis.call('PEXPIRE', prefix .. waiter, ttl)
end

local function wake(waitersKey, prefix, n, ttl)
  local woken = 0
  while n < 0 or woken < n do
    local waiter = redis.call('LPOP', waitersKey)
    if not waiter then break end
    signal(prefix, waiter, ttl)
    woken = woken + 1
  end
  return woken
end

-- Registers `waiter` once (at the end) on a waiters list ('': the caller will not wait). Either
-- way the operation could not proceed and changed nothing, so a `--@once` one records nothing.
local function enqueue(waitersKey, waiter, ttl)
  once_unchanged = true
  if waiter == '' then return end
  redis.call('LREM', waitersKey, 0, waiter)
  redis.call('RPUSH', waitersKey, waiter)
  redis.call('PEXPIRE', waitersKey, ttl)
end
