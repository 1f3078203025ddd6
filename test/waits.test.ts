import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isNotYet, WAITS, type StateOpName } from '../mp-shim/transport.js';

describe('which shared-state operations wait, as the op table declares it', () => {
  it('every operation mp-shim sends with `block` declares what it answers when it could not proceed', () => {
    const sources = readdirSync('mp-shim', { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const blocking = new Set<string>();
    for (const file of sources) {
      for (const call of readFileSync(`mp-shim/${file}`, 'utf8').matchAll(/op: '([a-z]+\.[a-zA-Z]+)'[^}]*\bblock\b/g)) blocking.add(call[1]);
    }
    assert.ok(blocking.size >= 10, `found ${[...blocking]}`);
    for (const op of blocking) assert.ok(WAITS[op as StateOpName], `${op} is sent with block but declares no wait`);
  });

  it('tells "not yet" from an answer by the declared value, never by falsiness', () => {
    assert.equal(isNotYet('queue.get', null), true);
    assert.equal(isNotYet('queue.get', new Uint8Array(0)), false);
    assert.equal(isNotYet('connection.waitAny', []), true);
    assert.equal(isNotYet('connection.waitAny', ['a']), false);
    assert.equal(isNotYet('lock.acquire', false), true);
    assert.equal(isNotYet('semaphore.release', 0), false, 'an operation that never waits is never "not yet"');
  });

  it('a Condition waits in one piece: stopping its wait re-takes the lock', () => {
    assert.equal(WAITS['condition.wait']?.splittable, false);
    assert.equal(WAITS['queue.get']?.splittable, true);
  });
});
