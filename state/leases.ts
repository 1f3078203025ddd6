/**
 * Leases of the locks tasks take: renewed at a third of their length for as long as their
 * holder lives, so a holder that dies frees its locks. A lease that could not be renewed in
 * time is remembered as lost, and the holder's next operation on that lock raises instead of
 * acting as if it still held it.
 *
 * Who renews depends on where the task runs: a thread of the local backend hands its leases to
 * its parent (ParentLeases in compute/local/), so a task that keeps its thread busy does not
 * lose its lock; a process that runs tasks itself (a Lambda container) renews them here.
 */
import { ProcessError } from '../mp-shim/errors.js';
import type { StoreCore } from './core.js';

/** What the store asks of whoever keeps a process's leases. */
export interface Leases {
  keep(lock: string, owner: string, leaseMs: number): void;
  /** Forgets a lock its owner released. */
  forget(lock: string): void;
  /** Raises when `owner`'s lease of `lock` was lost: the lock may be another's now. */
  assertHeld(lock: string, owner: string, name: string): void;
  close(): void;
}

/** Told when a lease is lost: which lock, whose, and why. */
export type LeaseLost = (lock: string, owner: string, reason: string) => void;

export function leaseLostError(name: string, leaseMs: number, reason: string): ProcessError {
  return new ProcessError(`the lease of ${name} (${leaseMs} ms) lapsed while it was held: ${reason}; another process may have taken it since`);
}

interface Lease {
  owner: string;
  leaseMs: number;
  /** When the last renewal (or the acquisition) succeeded. */
  renewedAt: number;
  /** Why the lease was lost, once it was. */
  lost?: string;
}

export class LeaseKeeper implements Leases {
  readonly #leases = new Map<string, Lease>();
  #renewer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly core: StoreCore,
    private readonly onLost?: LeaseLost,
  ) {}

  keep(lock: string, owner: string, leaseMs: number): void {
    this.#leases.set(lock, { owner, leaseMs, renewedAt: Date.now() });
    this.#renewer ??= setInterval(() => this.#renewAll(), leaseMs / 3);
    this.#renewer.unref();
  }

  forget(lock: string): void {
    this.#leases.delete(lock);
  }

  assertHeld(lock: string, owner: string, name: string): void {
    const lease = this.#leases.get(lock);
    if (lease?.owner !== owner) return;
    // A process kept busy renews nothing, and its renewal timer may not have run yet to say so.
    if (Date.now() - lease.renewedAt >= lease.leaseMs) this.#lose(lock, lease, 'it was not renewed in time (the holder kept its process busy, or Redis was unreachable)');
    if (lease.lost === undefined) return;
    this.#leases.delete(lock);
    throw leaseLostError(name, lease.leaseMs, lease.lost);
  }

  #renewAll(): void {
    for (const [lock, lease] of this.#leases) {
      if (lease.lost !== undefined) continue;
      this.core.redis.lockRenew(lock, lease.owner, lease.leaseMs).then(
        (renewed) => {
          if (renewed === 1) lease.renewedAt = Date.now();
          else this.#lose(lock, lease, 'Redis no longer lists this holder as its owner');
        },
        (error: Error) => {
          if (Date.now() - lease.renewedAt >= lease.leaseMs) this.#lose(lock, lease, `its renewals failed (${error.message})`);
        },
      );
    }
  }

  #lose(lock: string, lease: Lease, reason: string): void {
    if (lease.lost !== undefined) return;
    lease.lost = reason;
    this.onLost?.(lock, lease.owner, reason);
  }

  close(): void {
    clearInterval(this.#renewer);
  }
}
