--[[
  Removes a shared object's state (a manager dict's clear).

  Input:
    KEYS[1] the object's key

  Output:
    1
]]
--@once
redis.call('DEL', KEYS[1])
return 1
