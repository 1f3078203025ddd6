-- Runs an operation at most once in effect. A script marked `--@once` takes more inputs than its
-- header lists: the hash holding its records as its last KEYS entry, and the operation's field in
-- it and how long to keep the hash (ms; 0: the call has no identity) as its last two ARGV entries.
-- A repeat of the same operation (a retried activity, a replayed workflow task, a task chunk run
-- again, a command resent after a reconnect) answers what the first run answered without applying
-- it again. Nothing is recorded when the operation changed nothing and its caller will try again
-- (it was registered to wait, which enqueue() says, or found nothing to take, which the script says).
--
-- A script marked `--@once held=<i> from=<j>` is a take whose blocking wait moves the item it got
-- into KEYS[i], its held list, from KEYS[j]. Two copies of one operation (a straggler and its
-- original, a zombie attempt and its retry) may each have moved an item there: the one that finds
-- the operation already answered puts what is left back at the head of KEYS[j], oldest first.
local once_keep = tonumber(table.remove(ARGV))
local once_field = table.remove(ARGV)
local once_record = table.remove(KEYS)
local once_unchanged = false
if once_keep > 0 then
  local recorded = redis.call('HGET', once_record, once_field)
  if recorded then
    if once_held then
      while redis.call('LMOVE', once_held, once_from, 'RIGHT', 'LEFT') do end
    end
    return cmsgpack.unpack(recorded)[1]
  end
end
