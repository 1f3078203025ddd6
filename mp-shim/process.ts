/** Processes (CPython: multiprocessing/process.py): a task function run on its own, with a lifecycle. */
import { asyncDispose } from './dispose.js';
import { toMs, type Duration } from './duration.js';
import { SystemExit, ValueError } from './errors.js';
import { SharedObject, registerShared, type Reduced } from './reduction.js';
import { dumps, loads } from './serialization.js';
import { assertTaskRef, taskRef, type AnyFunction, type TaskArgs, type TaskRef } from './tasks.js';
import { transport, type Launch, type Outcome, type ProcessIdentity } from './transport.js';

export interface ProcessOptions<F extends AnyFunction> {
  target: TaskRef<F>;
  args?: TaskArgs<F>;
  name?: string;
  /** A daemon is terminated when the main program ends; others are waited for. */
  daemon?: boolean;
  /** Stops the target when it runs longer; its exit code is then 1. */
  timeout?: Duration;
}

const SIGTERM = 15;
const SIGKILL = 9;

/** Per-run bookkeeping, on globalThis so that each workflow run has its own. */
interface Registry {
  counter: number;
  children: Set<Process>;
}
const REGISTRY = Symbol.for('mpflow.processes');

function registry(): Registry {
  const holder = globalThis as { [REGISTRY]?: Registry };
  return (holder[REGISTRY] ??= { counter: 0, children: new Set() });
}

/** What a checkpoint carries of a Process to the next run, where it is the same process. */
interface CarriedProcess {
  name: string;
  daemon: boolean;
  number: number;
  target: string;
  args: Uint8Array;
  timeoutMs?: number;
  /** Its launch's id, once started. */
  launchId?: string;
  exitCode: number | null;
  signal?: number;
  closed: boolean;
}
const CARRIED = Symbol('carried');

/** Processes whose launch ends with the run: a checkpoint waits for them. */
const tiedToRun = new WeakSet<Process>();

export class Process<F extends AnyFunction = AnyFunction> extends SharedObject {
  readonly name: string;
  readonly daemon: boolean;
  readonly #target: string;
  readonly #args: Uint8Array;
  readonly #timeoutMs?: number;
  readonly #number: number;
  #launchId?: string;
  #launch?: Launch;
  #finished?: Promise<void>;
  #exitCode: number | null = null;
  #signal?: number;
  #closed = false;

  constructor(options: ProcessOptions<F>) {
    super();
    const carried = (options as { [CARRIED]?: CarriedProcess })[CARRIED];
    if (carried) {
      ({ name: this.name, daemon: this.daemon, target: this.#target, args: this.#args, timeoutMs: this.#timeoutMs, number: this.#number } = carried);
      ({ launchId: this.#launchId, exitCode: this.#exitCode, signal: this.#signal, closed: this.#closed } = carried);
      registry().counter = Math.max(registry().counter, this.#number);
      if (this.#launchId !== undefined && this.#exitCode === null) registry().children.add(this);
      return;
    }
    assertTaskRef(options?.target, 'options.target');
    const { target, args = [], daemon = false } = options;
    if (!Array.isArray(args)) throw new TypeError(`options.args must be an array of arguments, got ${typeof args}`);
    const number = (this.#number = ++registry().counter);
    this.name = options.name ?? `Process-${number}`;
    this.daemon = daemon;
    this.#target = target.taskName;
    this.#args = dumps([args], `the arguments of ${this.name}`);
    this.#timeoutMs = toMs(options.timeout);
  }

  /** Starts the target; returns at once. */
  start(): void {
    if (this.#closed) throw new ValueError('process object is closed');
    if (this.#launchId) throw new ValueError('cannot start a process twice');
    const launch = transport().launch({
      id: (this.#launchId = transport().uuid()),
      task: this.#target,
      items: this.#args,
      summary: `${this.#target} · ${this.name}`,
      timeoutMs: this.#timeoutMs,
      queuedAt: Date.now(),
      process: { name: this.name, pid: this.pid! },
    });
    if (!launch.outlivesRun) tiedToRun.add(this);
    registry().children.add(this);
    this.#follow(launch);
  }

  /** Waits until the process ends, or `timeout` passes (then it is still alive). */
  async join(timeout?: Duration): Promise<void> {
    if (this.#closed) throw new ValueError('process object is closed');
    if (!this.#launchId) throw new ValueError('can only join a started process');
    await transport().settlesWithin(this.#finished ?? this.#attach(), toMs(timeout));
  }

  isAlive(): boolean {
    if (this.#launchId === undefined || this.#exitCode !== null) return false;
    // Carried here by a checkpoint, the process is followed again from its first use on.
    void (this.#finished ?? this.#attach());
    return true;
  }

  /** null while running; 0 on success, 1 when the target threw, -N when stopped by signal N. */
  get exitCode(): number | null {
    this.isAlive();
    return this.#exitCode;
  }

  get pid(): number | undefined {
    return this.#launchId === undefined ? undefined : 1000 + this.#number;
  }

  /** Stops the process (SIGTERM): its exit code becomes -15. */
  terminate(): void {
    this.#stop(SIGTERM);
  }

  /** Stops the process (SIGKILL): its exit code becomes -9. */
  kill(): void {
    this.#stop(SIGKILL);
  }

  /** Releases the process object; it must have ended. */
  close(): void {
    if (this.isAlive()) throw new ValueError(`cannot close ${this.name}: it is still running`);
    this.#closed = true;
  }

  async [asyncDispose](): Promise<void> {
    if (this.isAlive()) this.terminate();
    await this.#finished;
  }

  reduce(): Reduced {
    const carried: CarriedProcess = {
      name: this.name,
      daemon: this.daemon,
      number: this.#number,
      target: this.#target,
      // A started process never needs its arguments again: the next run's input need not hold them.
      args: this.#launchId === undefined ? this.#args : new Uint8Array(),
      timeoutMs: this.#timeoutMs,
      launchId: this.#launchId,
      exitCode: this.#exitCode,
      signal: this.#signal,
      closed: this.#closed,
    };
    return { kind: 'Process', state: carried };
  }

  #stop(signal: number): void {
    if (!this.isAlive()) return;
    this.#signal ??= signal;
    this.#launch!.cancel();
  }

  /** Only the run's own transport can follow a process again (a task's cannot). */
  #attach(): Promise<void> {
    return this.#follow(transport().attach(this.#launchId!));
  }

  #follow(launch: Launch): Promise<void> {
    this.#launch = launch;
    return (this.#finished = launch.result.then(
      (encoded) => this.#exit(loads<Outcome>(encoded)),
      (error: Error) => this.#exit([false, error]),
    ));
  }

  #exit(outcome: Outcome): void {
    registry().children.delete(this);
    if (this.#signal !== undefined) {
      this.#exitCode = -this.#signal;
    } else if (outcome[0]) {
      this.#exitCode = 0;
    } else if (outcome[1] instanceof SystemExit) {
      this.#exitCode = outcome[1].code;
    } else {
      this.#exitCode = 1;
      transport().warn(`Process ${this.name} failed`, outcome[1]);
    }
  }
}

registerShared('Process', (carried: CarriedProcess) => new Process({ target: taskRef(carried.target), [CARRIED]: carried } as ProcessOptions<AnyFunction>));

/** The process running this code: `MainProcess` in the main program, the worker or Process name in a task. */
export function currentProcess(): ProcessIdentity {
  return transport().processIdentity().self;
}

/** The process that started this one; null in the main program. */
export function parentProcess(): ProcessIdentity | null {
  return transport().processIdentity().parent ?? null;
}

/** The started processes that have not ended yet. */
export function activeChildren(): Process[] {
  return [...registry().children];
}

/** The names of the running processes that end with the run, which a checkpoint waits for. */
export function childrenTiedToRun(): string[] {
  return activeChildren()
    .filter((child) => tiedToRun.has(child))
    .map((child) => child.name);
}

/** The parallelism of the compute backend. */
export function cpuCount(): number {
  return transport().cpuCount();
}

/** What happens when the main program returns: daemons are terminated, other children are joined. */
export async function exitFunction(): Promise<void> {
  const children = activeChildren();
  for (const child of children) if (child.daemon) child.terminate();
  await Promise.all(children.map((child) => child.join()));
}
