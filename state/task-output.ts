/**
 * What tasks write to stdout and stderr, kept per run in a Redis stream (sealed when a key is
 * configured), each line marked with its chunk: the driver prints it as it comes, and `mpflow
 * logs` prints a finished run's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreCore } from './core.js';
import { runOutputKey } from './keys.js';

export interface OutputLine {
  /** The chunk that wrote it, as the Web UI names it (`inCircle · map 2 · chunk 3/8`). */
  chunk: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** How long a run's output is kept after its last line, and how many lines at most. */
const OUTPUT_KEPT_MS = 7 * 24 * 60 * 60 * 1000;
const OUTPUT_KEPT_LINES = 100_000;
/** From the stream's start. */
export const FIRST_LINE = '0';

export class TaskOutput {
  constructor(private readonly core: StoreCore) {}

  async append(runId: string, lines: OutputLine[]): Promise<void> {
    const key = runOutputKey(runId);
    const pipeline = this.core.redis.pipeline();
    for (const { chunk, stream, text } of lines) {
      pipeline.xadd(key, 'MAXLEN', '~', OUTPUT_KEPT_LINES, '*', 'chunk', chunk, 'stream', stream, 'text', Buffer.from(this.core.seal(Buffer.from(text), false)));
    }
    pipeline.pexpire(key, OUTPUT_KEPT_MS);
    for (const [error] of (await pipeline.exec())!) if (error) throw error;
  }

  /** Up to `count` lines after stream entry `after`, and the entry to read on from. */
  async read(runId: string, after = FIRST_LINE, count = 1_000): Promise<{ lines: OutputLine[]; last: string }> {
    const entries = await this.core.redis.xrangeBuffer(runOutputKey(runId), after === FIRST_LINE ? '-' : `(${after}`, '+', 'COUNT', count);
    const lines = entries.map(([, fields]) => {
      const field = (name: string) => fields[fields.findIndex((value, i) => i % 2 === 0 && value.toString() === name) + 1];
      return { chunk: field('chunk').toString(), stream: field('stream').toString() as OutputLine['stream'], text: Buffer.from(this.core.open(field('text'))).toString() };
    });
    return { lines, last: entries.at(-1)?.[0].toString() ?? after };
  }

  async remove(runId: string): Promise<void> {
    await this.core.redis.unlink(runOutputKey(runId));
  }

  /** The entry of the run's latest line so far: a driver prints what comes after it. */
  async latest(runId: string): Promise<string> {
    const [entry] = await this.core.redis.xrevrangeBuffer(runOutputKey(runId), '+', '-', 'COUNT', 1);
    return entry?.[0].toString() ?? FIRST_LINE;
  }
}

/**
 * Prints the lines of `runId`'s output that come after now, every `intervalMs`, until the
 * returned function is called; that prints what is left, then stops. A read that fails is
 * warned of and tried again at the next turn.
 */
export function followOutput(output: TaskOutput, runId: string, print: (line: OutputLine) => void, warn: (message: string, error: unknown) => void, intervalMs = 250): () => Promise<void> {
  const start = output.latest(runId);
  let after: string | undefined;
  const printNew = async () => {
    after ??= await start;
    for (let read; (read = await output.read(runId, after)).lines.length > 0; after = read.last) read.lines.forEach(print);
  };
  const printNewOrWarn = () => printNew().catch((error: unknown) => warn("could not read the tasks' output", error));
  let stopped = false;
  const polling = (async () => {
    while (!stopped) {
      await printNewOrWarn();
      await sleep(intervalMs);
    }
  })();
  return async () => {
    stopped = true;
    await polling;
    await printNewOrWarn();
  };
}
