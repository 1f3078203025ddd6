/**
 * Queue dispatch: the study's worker pool, made durable. Long-lived pool workers pull chunks
 * from the pool's job queue in Redis; one round trip puts every chunk of a job on it (FIFO
 * across jobs), and outcomes are collected in a few waits per job, each for a quarter of what
 * is still missing, so the main program's history grows with the logarithm of a map's chunks.
 */
import { loads } from '../serialization.js';
import { transport, type ChunkCall, type Outcome, type PoolWorkers } from '../transport.js';
import { ProcessError, SetupError } from '../errors.js';
import type { Dispatcher, PoolHost } from './dispatcher.js';
import type { Job } from './results.js';

export interface StragglerSettings {
  /** A chunk is a straggler once it ran this many times its map's median chunk time (0: never). */
  factor: number;
  minMs: number;
}

export class QueueDispatcher implements Dispatcher {
  readonly #pool: PoolHost;
  readonly #straggler: StragglerSettings;
  /** Jobs whose outcomes are still being collected. */
  #collecting = 0;
  #workers?: PoolWorkers;
  #workersStopped = false;

  constructor(pool: PoolHost, straggler: StragglerSettings) {
    this.#pool = pool;
    this.#straggler = straggler;
  }

  get busy(): boolean {
    return this.#collecting > 0;
  }

  submit(job: Job, calls: ChunkCall[]): void {
    job.started = true;
    const runtime = transport();
    const key = this.#pool.slots.poolId;
    this.#collecting++;
    void (async () => {
      await runtime.state({ op: 'pool.submit', key, job: job.id, calls, stragglerFactor: this.#straggler.factor, stragglerMinMs: this.#straggler.minMs });
      // After the first submit: a worker that finds no pool in Redis leaves at once.
      const workersJustStarted = !this.#workers;
      this.#workers ??= this.#startWorkers();
      for (let cursor = 0; !job.finished; ) {
        const need = cursor + Math.ceil((calls.length - cursor) / 4);
        const awaitsNewWork = workersJustStarted && cursor === 0;
        const entries = await runtime.state({ op: 'pool.collect', key, job: job.id, cursor, need, block: true, awaitsNewWork });
        // Terminating the pool wakes the collector this way.
        if (entries === 'terminated') return;
        cursor += entries.length;
        this.#pool.settle(job, () => entries.forEach(([index, outcome]) => job.setChunk(index, loads<Outcome>(outcome))));
      }
    })()
      .catch((error: Error) => this.#pool.settle(job, () => job.fail(error)))
      .finally(() => {
        this.#collecting--;
        this.#pool.workEnded();
      });
  }

  /** A job is on the queue from its submit on: none waits here to be withdrawn. */
  withdraw(): void {}

  close(): void {
    this.#stopWorkers('closed');
  }

  async left(): Promise<void> {
    await this.#workers?.done.catch(() => {});
  }

  terminate(): void {
    this.#stopWorkers('terminated');
    this.#workers?.cancel();
  }

  /** Tells the pool workers to leave: once drained ('closed') or at once ('terminated'); after a terminate, nothing more. */
  #stopWorkers(how: 'closed' | 'terminated'): void {
    if (!this.#workers || (this.#workersStopped && how === 'closed')) return;
    this.#workersStopped = true;
    transport()
      .state({ op: 'pool.stop', key: this.#pool.slots.poolId, how })
      .catch((error: unknown) => transport().warn(`the workers of a pool could not be told to stop (${how}); they leave once the run ends`, error));
  }

  #startWorkers(): PoolWorkers {
    const { slots, processes } = this.#pool;
    const workers = transport().startPoolWorkers({ ...slots, processes });
    // Workers leave only once the pool is closed or terminated: any other end loses the work.
    // Failed for good, they leave collectors waiting for outcomes that will never come: terminating wakes them.
    workers.done.then(
      () => this.#pool.failAll(new ProcessError('the pool workers left before the work was done')),
      (error: Error) => {
        this.#pool.failAll(error instanceof SetupError ? error : new ProcessError(`the pool workers failed: ${error.message}`, { cause: error }));
        this.#stopWorkers('terminated');
      },
    );
    return workers;
  }
}
