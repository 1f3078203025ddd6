import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngine } from '../testing/harness.js';

onEveryEngine('Manager', 'test/programs/shared', (h) => {
  it('dict proxies behave as dicts, and updates from a task are seen by the main program', async () => {
    assert.deepEqual(await h().run('managerDict'), {
      get: 1,
      missing: -1,
      has: [true, false],
      length: 4,
      popped: 1,
      popDefault: 0,
      popMissing: 'KeyError: zz',
      setdefault: [2, 5],
      deleteMissing: 'KeyError: zz',
      items: [['b', 2], ['c', 3], ['d', 4], ['e', 5]],
    });
  });

  it('list proxies insert, pop, remove, index and sort on the server, with Python’s errors', async () => {
    assert.deepEqual(await h().run('managerList'), {
      popped: [3, 5],
      index: 2,
      sorted: [1, 4, 7],
      reversed: [42, 4, 1],
      slice: [4],
      get: 1,
      errors: [
        'ValueError: list.remove(x): x not in list',
        'ValueError: list.index(x): x not in list',
        'IndexError: list index 10 is out of range',
        'IndexError: list assignment index 10 is out of range',
      ],
    });
  });

  it('8 concurrent processes appending 1,000 items each lose none', async () => {
    assert.deepEqual(await h().run('managerListAppendsUnderConcurrency', 8, 1000), Array.from({ length: 8000 }, (_, i) => i));
  });

  it('a Namespace holds attributes; a missing one is an error naming it', async () => {
    assert.deepEqual(await h().run('managerNamespace'), { x: 1, all: { x: 1, y: 'two' }, missing: "KeyError: 'Namespace' object has no attribute 'z'" });
  });

  it('a class registered with BaseManager.register is shared, one method call at a time', async () => {
    assert.equal(await h().run('registeredClassUnderConcurrency', 4, 25), 110);
  });
});

onEveryEngine('ProcessPoolExecutor', 'test/programs/shared', (h) => {
  it('submit returns futures; map yields in order, zipping iterables; errors come back through result and exception', async () => {
    assert.deepEqual(await h().run('executorBasics'), {
      result: 49,
      exception: 'TypeError: bad',
      failingResult: 'TypeError: bad',
      mapped: [1, 4, 9, 16, 25],
      zipped: ['x', 'y'],
      done: true,
      called: true,
    });
  });

  it('cancel stops only what has not started; asCompleted yields by completion; wait honours returnWhen', async () => {
    assert.deepEqual(await h().run('executorOrderingAndCancel'), {
      cancelledQueued: true,
      cancelledRunning: false,
      queuedState: [true, true, 'CancelledError: the future was cancelled'],
      order: ['fast', 'slow'],
      firstDone: 1,
      allDone: 2,
      afterShutdown: 'ValueError: cannot schedule new futures after shutdown',
    });
  });
});
