-- Runs an operation at most once in effect. A script marked `--@once` takes two more inputs
-- than its header lists: the operation's record key as its last KEYS entry and how long to
-- keep the record (ms; 0: the call has no identity) as its last ARGV entry. A repeat of the
-- same operation (a retried activity, a replayed workflow task, a command resent after a
-- reconnect) answers what the first run answered without applying it again. Nothing is
-- recorded when the operation changed nothing and its caller will try again (it was registered
-- to wait, which enqueue() says, or found nothing to take, which the script says).
local once_record = table.remove(KEYS)
local once_keep = tonumber(table.remove(ARGV))
local once_unchanged = false
if once_keep > 0 then
  local recorded = redis.call('GET', once_record)
  if recorded then return cmsgpack.unpack(recorded)[1] end
end
