--[[
  Sorts a list in place by its decoded values (numbers, or strings), as Python's list.sort.

  Input:
    KEYS[1] list
    ARGV[1] '1' to sort in descending order

  Output:
    1; a list mixing numbers and strings is an error, as in Python
]]
--@once
local items = redis.call('LRANGE', KEYS[1], 0, -1)
if #items < 2 then return 1 end
local entries = {}
for i, encoded in ipairs(items) do
  local value = cmsgpack.unpack(encoded)
  if type(value) ~= 'number' and type(value) ~= 'string' then
    return redis.error_reply('list.sort compares numbers or strings only')
  end
  entries[i] = { value, encoded }
end
local descending = ARGV[1] == '1'
local ok, failure = pcall(table.sort, entries, function(a, b)
  if type(a[1]) ~= type(b[1]) then error('cannot compare a number with a string') end
  if descending then return a[1] > b[1] end
  return a[1] < b[1]
end)
if not ok then return redis.error_reply(tostring(failure)) end
local sorted = {}
for i, entry in ipairs(entries) do sorted[i] = entry[2] end
redis.call('DEL', KEYS[1])
redis.call('RPUSH', KEYS[1], unpack(sorted))
return 1
