import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryEngine } from '../testing/harness.js';

onEveryEngine('Process', 'test/programs/semantics', (h) => {

  it('start, isAlive, join and exitCode follow the lifecycle of the target', async () => {
    assert.deepEqual(await h().run('processLifecycle'), {
      name: 'Process-1',
      before: { alive: false, exitCode: null, pid: null },
      running: { alive: true, children: 1 },
      after: { alive: false, exitCode: 0, children: 0 },
      hasPid: true,
    });
  });

  it('a target that throws exits with code 1', async () => {
    assert.equal(await h().run('processFailureExitCode'), 1);
  });

  it('terminate gives exit code -15 and kill -9, without waiting for the target', async () => {
    assert.equal(await h().run('processStopped', 'terminate'), -15);
    assert.equal(await h().run('processStopped', 'kill'), -9);
  });

  it('join(timeout) returns while the process is still alive', async () => {
    assert.equal(await h().run('processJoinTimeout'), true);
  });

  it('currentProcess and parentProcess name the main program and the child', async () => {
    const identity = await h().run<{ main: string; mainParent: unknown; child: object; cpus: number }>('processIdentity');
    assert.equal(identity.main, 'MainProcess');
    assert.equal(identity.mainParent, null);
    assert.deepEqual(identity.child, { self: 'reporter', parent: 'MainProcess' });
    assert.ok(Number.isInteger(identity.cpus) && identity.cpus >= 1);
  });

  it('starting a process twice is a ValueError', async () => {
    assert.equal(await h().run('processStartTwice'), 'ValueError: cannot start a process twice');
  });
});
