--[[
  Claims work for a pool worker's free slots (see includes/pool.lua for the order).

  Input:
    KEYS[1] pool
    ARGV[1] slots free
    ARGV[2] lease (ms): a claimed chunk goes back to others unless renewed within it
    ARGV[3] waiter id, registered as idle when nothing could be claimed ('' to not wait)
    ARGV[4] key TTL in milliseconds
    ARGV[5] '1' to start straggler copies when there is no queued work

  Output:
    {status, hint, id1, call1, ...}: 'run' | 'wait' | 'stop', as claim() describes
]]
--@include wake
--@include pool
return claim(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5] == '1')
