/**
 * The study's four applications, as a user writes them (examples/es, gridsearch,
 * dataframe-apply, ppo): each learns or computes what it should on both engines and with its
 * tasks on the Lambda backend, and the durable runs give the local engine's very numbers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEMPORAL_HISTORY_LIMIT } from '../workflows/definitions.js';
import { chainProcesses, chainRuns, deployToDevLambda, freshStorage, harness, onEveryEngineAndLambda, onEveryEngineAndStorage, type Harness } from '../testing/harness.js';

const ES = { generations: 20, population: 16, processes: 2 };

onEveryEngineAndLambda('examples/es', 'examples/es', (h) => {
  it('evolution strategies learn to balance the pole: the population’s mean return grows severalfold', async () => {
    const { generations, meanReturns, best } = await h().run<{ generations: number; meanReturns: number[]; best: number }>('main', ES);
    assert.equal(generations, ES.generations);
    assert.ok(best > 4 * meanReturns[0], `from ${meanReturns[0]} to at best ${best}`);
  });
});

/** A program on both engines, side by side. */
interface Runners {
  local: Harness;
  durable: Harness;
}

/**
 * `program` on the local engine and, beside it, on the durable engine under a history limit of
 * `events`, so that its checkpoints come every few iterations; `body` gets both.
 */
function checkpointedOften(program: string, events: number, body: (runners: () => Runners) => void): void {
  describe(`${program} checkpointed every few iterations`, { timeout: 300_000 }, () => {
    let local: Harness;
    let durable: Harness;
    before(async () => {
      local = await harness('local', program);
      durable = await harness('temporal', program, { historyLimit: { ...TEMPORAL_HISTORY_LIMIT, events } });
    });
    after(async () => {
      await local.close();
      await durable.close();
    });
    body(() => ({ local, durable }));
  });
}

/**
 * Runs `main(args)` on the durable engine under the small history limit and checks that it
 * continued as new at least twice and ended with the local engine's very result; returns its
 * workflow id.
 */
async function sameThroughCheckpoints({ local, durable }: Runners, args: object): Promise<string> {
  const handle = await durable.start!('main', args);
  const learned = await handle.result();
  const runs = await chainRuns(durable.client!, handle.workflowId);
  assert.ok(runs.filter((status) => status === 'CONTINUED_AS_NEW').length >= 2, `runs: ${runs}`);
  assert.deepEqual(learned, await local.run('main', args));
  return handle.workflowId;
}

checkpointedOften('examples/es', 150, (runners) => {
  it('carries its parameters (a shared Array) and its curve across runs to the local engine’s very numbers', async () => {
    await sameThroughCheckpoints(runners(), ES);
  });
});

onEveryEngineAndLambda('examples/gridsearch', 'examples/gridsearch', (h) => {
  it('cross-validates every point of the grid, takes the scores as they complete, and picks the best', async () => {
    const { best, evaluated, completionOrder } = await h().run<{ best: { alpha: number; degree: number; r2: number }; evaluated: number; completionOrder: string[] }>('main', 600, 4, 3, 3);
    assert.equal(evaluated, 18);
    assert.equal(new Set(completionOrder).size, 18, 'each point once');
    assert.ok(best.degree > 1 && best.r2 > 0.5 && best.r2 <= 1, JSON.stringify(best));
  });
});

interface Applied {
  rows: number;
  bytes: number;
  parts: string[];
  meanScore: Record<string, number>;
}

onEveryEngineAndStorage('examples/dataframe-apply', 'examples/dataframe-apply', (h) => {
  it('scores every row of a CSV once, split into byte ranges across tasks, and combines the parts per category', async () => {
    const applied = await h().run<Applied>('main', 20_000, 2, 3);
    assert.equal(applied.rows, 20_000, 'no row lost or scored twice at the ranges’ edges');
    assert.equal(applied.parts.length, 6);
    assert.deepEqual(Object.keys(applied.meanScore), ['delivery', 'hotel', 'restaurant', 'shop']);
    assert.ok(Object.values(applied.meanScore).every((score) => Math.abs(score) < 1), JSON.stringify(applied.meanScore));
  });

  it('reads the CSV already there instead of generating it again, and its scores do not depend on how it is split', async () => {
    const first = await h().run<Applied>('main', 5_000, 2, 1, 'again.csv');
    const second = await h().run<Applied>('main', 9_999, 2, 5, 'again.csv');
    assert.deepEqual([second.rows, second.bytes, second.parts.length], [5_000, first.bytes, 10]);
    for (const [category, score] of Object.entries(first.meanScore)) assert.ok(Math.abs(second.meanScore[category] - score) < 1e-12, category);
  });
});

describe('examples/dataframe-apply with tasks on Lambda, storage on S3', { timeout: 300_000 }, () => {
  let lambda: Harness;
  before(async () => {
    lambda = await harness('temporal', 'examples/dataframe-apply', { storage: freshStorage('s3') }, { kind: 'lambda', config: await deployToDevLambda('examples/dataframe-apply') });
  });
  after(() => lambda.close());

  it('scores every row once', async () => {
    assert.equal((await lambda.run<Applied>('main', 20_000, 2, 2)).rows, 20_000);
  });
});

const PPO = { iterations: 4, environments: 2, steps: 60, epochs: 8 };

onEveryEngineAndLambda('examples/ppo', 'examples/ppo', (h) => {
  it('environment Processes step on the actions sent over their Pipes, and PPO raises the mean reward', async () => {
    const { iterations, meanRewards } = await h().run<{ iterations: number; meanRewards: number[] }>('main', PPO);
    assert.equal(iterations, PPO.iterations);
    assert.ok(meanRewards.every((reward) => reward < 0 && reward > -2), `${meanRewards}`);
    assert.ok(meanRewards.at(-1)! > meanRewards[0], `${meanRewards}`);
  });
});

checkpointedOften('examples/ppo', 600, (runners) => {
  it('keeps its environment processes through the checkpoints, to the local engine’s very numbers', async () => {
    const { durable } = runners();
    const workflowId = await sameThroughCheckpoints(runners(), PPO);
    const environments = await chainProcesses(durable.client!, workflowId);
    assert.deepEqual(environments, ['COMPLETED', 'COMPLETED'], 'each environment process was started once, and ended when the program sent it null');
  });
});
