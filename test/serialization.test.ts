import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dumps, loads } from '../mp-shim/serialization.js';
import { onEveryEngine } from '../testing/harness.js';

const richValue = () => ({
  text: 'π ≈ 3.14',
  integers: [0, -1, 2 ** 40, Number.MAX_SAFE_INTEGER],
  float: 1.5,
  big: 2n ** 100n,
  when: new Date(Date.UTC(2021, 5, 1)),
  map: new Map<unknown, unknown>([[1, 'one'], ['two', new Set([2])]]),
  set: new Set(['a', 'b']),
  bytes: new Uint8Array([1, 2, 3]),
  doubles: new Float64Array([0.5, -0.25]),
  nested: { deeper: [{ undefinedField: undefined, nullField: null }] },
});

describe('the codec', () => {
  it('round-trips what structured clone does', () => {
    const value = richValue();
    assert.deepEqual(loads(dumps(value)), value);
  });

  it('keeps an error’s class, message, stack, cause and own fields', () => {
    const error = Object.assign(new TypeError('outer', { cause: new Error('inner') }), { code: 'E_OUTER' });
    const copy = loads<TypeError & { code: string }>(dumps(error));
    assert.ok(copy instanceof TypeError);
    assert.equal(copy.message, 'outer');
    assert.equal(copy.stack, error.stack);
    assert.equal(copy.code, 'E_OUTER');
    assert.equal((copy.cause as Error).message, 'inner');
  });

  it('refuses functions and symbols, naming where they are', () => {
    assert.throws(() => dumps({ a: [1, { f: () => 1 }] }, 'args'), { name: 'TypeError', message: 'cannot serialize args.a[1].f: a function cannot be sent to another process' });
    assert.throws(() => dumps([Symbol('s')]), { message: 'cannot serialize value[0]: a symbol cannot be sent to another process' });
  });
});

onEveryEngine('values crossing processes', 'test/programs/semantics', (h) => {

  it('a rich value passes through a task unchanged', async () => {
    assert.deepEqual(await h().run('echoThroughTask', richValue()), richValue());
  });

  it('a map over 10 arguments of 5 MB each arrives whole (large payloads travel by claim check)', async () => {
    const checksums = await h().run<[number, number][]>('largeArguments', 10, 5);
    const bytes = 5 * 1024 * 1024;
    assert.deepEqual(checksums, Array.from({ length: 10 }, (_, i) => [bytes, (i + 1) * (bytes / 4096)]));
  });
});
