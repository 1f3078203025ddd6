import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngine } from '../testing/harness.js';

onEveryEngine('Queue', 'test/programs/semantics', (h) => {

  it('items put by the main program reach a task in FIFO order', async () => {
    assert.deepEqual(await h().run('queueFifoToTask'), [0, 1, 2, 3, 4]);
  });

  it('items put by a process reach the main program', async () => {
    assert.deepEqual(await h().run('queueFromProcess'), [1, 2, 3]);
  });

  it('get raises Empty and put raises Full, at once or after their timeout', async () => {
    assert.deepEqual(await h().run('queueEmptyAndFull'), {
      emptyNowait: 'Empty: the queue is empty',
      emptyTimeout: 'Empty: the queue stayed empty for 100',
      empty: true,
      fullNowait: 'Full: the queue is full',
      fullTimeout: 'Full: the queue stayed full for 100ms',
      full: true,
      qsize: 1,
    });
  });

  it('a put blocked on a full queue resumes when a task takes an item', async () => {
    assert.deepEqual(await h().run('queueBlockedPutResumes'), ['a', 'b']);
  });

  it('a closed queue handle refuses put', async () => {
    assert.equal(await h().run('closedQueue'), 'ValueError: Queue is closed');
  });
});
