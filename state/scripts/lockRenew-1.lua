--[[
  Extends the lease of a lock its owner still holds.

  Input:
    KEYS[1] lock hash: owner, count
    ARGV[1] owner id
    ARGV[2] lease in milliseconds

  Output:
    1  renewed
    0  not held by this owner (released, or the lease lapsed)
]]
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
