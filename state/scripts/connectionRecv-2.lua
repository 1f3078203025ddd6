--[[
  Takes the oldest message of a connection, if any. A message a blocking recv already moved
  aside for this operation (its held list) comes first.

  Input:
    KEYS[1] the messages of this direction
    KEYS[2] this operation's held list (a blocking wait moves the message it got there)

  Output:
    the encoded message, or nil when there is none
]]
--@once held=2 from=1
local message = redis.call('LPOP', KEYS[2]) or redis.call('LPOP', KEYS[1])
if not message then once_unchanged = true end
return message
