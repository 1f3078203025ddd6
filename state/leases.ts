/**
 * Leases of the locks a process took: renewed at a third of their length for as long as the
 * process lives, so a holder that dies frees its locks. A lease that could not be renewed in
 * time is remembered as lost, and the holder's next operation on that lock raises instead of
 * acting as if it still held it.
 */
import { ProcessError } from '../mp-shim/errors.js';
import type { StoreCore } from './core.js';

interface Lease {
  owner: string;
  leaseMs: number;
  /** When the last renewal (or the acquisition) succeeded. */
  renewedAt: number;
  /** Why the lease was lost, once it was. */
  lost?: string;
}

export class LeaseKeeper {
  readonly #leases = new Map<string, Lease>();
  #renewer?: ReturnType<typeof setInterval>;

  constructor(private readonly core: StoreCore) {}

  keep(lock: string, owner: string, leaseMs: number): void {
    this.#leases.set(lock, { owner, leaseMs, renewedAt: Date.now() });
    this.#renewer ??= setInterval(() => this.#renewAll(), leaseMs / 3);
    this.#renewer.unref();
  }

  /** Forgets a lock released by `owner`. */
  forget(lock: string): void {
    this.#leases.delete(lock);
  }

  /** Raises when `owner`'s lease of `lock` was lost: the lock may be another's now. */
  assertHeld(lock: string, owner: string, name: string): void {
    const lease = this.#leases.get(lock);
    if (lease?.owner !== owner) return;
    // A thread kept busy renews nothing, and its renewal timer may not have run yet to say so.
    if (Date.now() - lease.renewedAt >= lease.leaseMs) lease.lost ??= 'it was not renewed in time (the holder kept its thread busy, or Redis was unreachable)';
    if (lease.lost === undefined) return;
    this.#leases.delete(lock);
    throw new ProcessError(`the lease of ${name} (${lease.leaseMs} ms) lapsed while it was held: ${lease.lost}; another process may have taken it since`);
  }

  #renewAll(): void {
    for (const [lock, lease] of this.#leases) {
      if (lease.lost !== undefined) continue;
      this.core.redis.lockRenew(lock, lease.owner, lease.leaseMs).then(
        (renewed) => {
          if (renewed === 1) lease.renewedAt = Date.now();
          else lease.lost ??= 'Redis no longer lists this holder as its owner';
        },
        (error: Error) => {
          if (Date.now() - lease.renewedAt >= lease.leaseMs) lease.lost ??= `its renewals failed (${error.message})`;
        },
      );
    }
  }

  close(): void {
    clearInterval(this.#renewer);
  }
}
