import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveProgram } from '../workers/program.js';
import { bundleProgram } from '../workers/bundle.js';

describe('the workflow bundle', { timeout: 120_000 }, () => {
  it('holds the main program and mp-shim but no Redis client, AWS SDK or Node built-in', async () => {
    const { code } = await bundleProgram(resolveProgram('examples/pi'));
    assert.match(code, /inCircle/);
    assert.match(code, /mp-shim\/pool\/pool\.ts/);
    const modules = [...code.matchAll(/\/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g)].map((match) => match[1]);
    for (const forbidden of ['ioredis', '@aws-sdk', 'piscina']) assert.ok(!modules.includes(forbidden), `the workflow bundle includes ${forbidden}`);
    assert.doesNotMatch(code, /require\("(node:)?(fs|net|worker_threads|child_process)"\)/);
  });
});
