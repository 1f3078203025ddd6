import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngine } from '../testing/harness.js';

onEveryEngine('Pipe', 'test/programs/shared', (h) => {
  it('carries objects both ways between the main program and a process', async () => {
    assert.deepEqual(await h().run('pipePingPong', 20), Array.from({ length: 20 }, (_, i) => i));
  });

  it('after the sender closes, the reader gets what was sent and then EOFError, every time; a one-way end refuses the other direction', async () => {
    assert.deepEqual(await h().run('pipeEndOfStream'), {
      received: ['a', { b: 2 }],
      third: 'EOFError: the other end of the pipe was closed',
      again: 'EOFError: the other end of the pipe was closed',
      readerSends: 'ValueError: this end of a one-way pipe cannot send',
      writerReceives: 'ValueError: this end of a one-way pipe cannot receive',
    });
  });

  it('sendBytes and recvBytes move raw bytes; poll and wait block until something arrives', async () => {
    assert.deepEqual(await h().run('pipeBytesPollAndWait'), { before: false, readyIsC: true, polled: true, bytes: [1, 2, 3], sliced: [8, 7] });
  });
});

onEveryEngine('queue variants', 'test/programs/shared', (h) => {
  it('JoinableQueue.join waits until every item is reported done; one taskDone too many is a ValueError', async () => {
    assert.deepEqual(await h().run('joinableQueueJoins'), { doneWhenJoined: 5, tooMany: 'ValueError: taskDone() called too many times' });
  });

  it('SimpleQueue puts, gets and reports empty', async () => {
    assert.deepEqual(await h().run('simpleQueueRoundTrip'), { empty: true, got: 'x', emptyAfter: true });
  });

  it("keeps each producer's items in order when four produce at once", async () => {
    assert.equal(await h().run('fifoUnderConcurrentProducers', 4, 50), true);
  });
});

onEveryEngine('shared objects as messages', 'test/programs/shared', (h) => {
  it('an Event put on a Queue and a Lock sent over a Pipe arrive as handles to the same state', async () => {
    assert.deepEqual(await h().run('handlesTravelEverywhere'), { acquiredThere: true, setThere: true, heldHere: true });
  });
});
