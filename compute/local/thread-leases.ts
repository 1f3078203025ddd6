/**
 * Lock leases of a thread's tasks, renewed by the thread's parent: a task that keeps its
 * thread's event loop busy still holds its lock, and a thread that dies stops being renewed
 * (its parent forgets its leases), so its locks free themselves. What the parent could not
 * renew comes back as lost, and the holder's next operation on that lock raises.
 */
import { leaseLostError, type LeaseKeeper, type Leases } from '../../state/leases.js';
import type { RedisStore } from '../../state/store.js';
import type { ThreadEvents, ThreadHandle } from './thread-pool.js';

/** What a thread tells its parent of its leases, and what the parent answers. */
export type LeaseNotice =
  | { lease: 'keep'; lock: string; owner: string; leaseMs: number }
  | { lease: 'forget'; lock: string }
  | { lease: 'lost'; lock: string; owner: string; reason: string };

export class ParentLeases implements Leases {
  readonly #held = new Map<string, { owner: string; leaseMs: number; lost?: string }>();

  constructor(private readonly post: (notice: LeaseNotice) => void) {}

  keep(lock: string, owner: string, leaseMs: number): void {
    this.#held.set(lock, { owner, leaseMs });
    this.post({ lease: 'keep', lock, owner, leaseMs });
  }

  forget(lock: string): void {
    this.#held.delete(lock);
    this.post({ lease: 'forget', lock });
  }

  assertHeld(lock: string, owner: string, name: string): void {
    const held = this.#held.get(lock);
    if (held?.owner !== owner || held.lost === undefined) return;
    this.forget(lock);
    throw leaseLostError(name, held.leaseMs, held.lost);
  }

  /** The parent could not renew `owner`'s lease of `lock`. */
  lost(lock: string, owner: string, reason: string): void {
    const held = this.#held.get(lock);
    if (held?.owner === owner) held.lost = reason;
  }

  close(): void {}
}

/** The parent's side: renews the leases its threads hand over, and tells a thread the ones it lost. */
export class ThreadLeaseRenewer implements ThreadEvents {
  readonly #keeper: LeaseKeeper;
  readonly #holders = new Map<string, ThreadHandle>();

  constructor(store: RedisStore) {
    this.#keeper = store.leaseKeeper((lock, owner, reason) => this.#holders.get(lock)?.post({ lease: 'lost', lock, owner, reason } satisfies LeaseNotice));
  }

  notice(thread: ThreadHandle, message: unknown): void {
    const notice = message as LeaseNotice;
    if (notice.lease === 'keep') {
      this.#holders.set(notice.lock, thread);
      this.#keeper.keep(notice.lock, notice.owner, notice.leaseMs);
    } else if (notice.lease === 'forget') {
      this.#holders.delete(notice.lock);
      this.#keeper.forget(notice.lock);
    }
  }

  /** A thread that died (or was stopped) holds its locks only until their leases lapse. */
  retired(thread: ThreadHandle): void {
    for (const [lock, holder] of this.#holders) {
      if (holder !== thread) continue;
      this.#holders.delete(lock);
      this.#keeper.forget(lock);
    }
  }

  close(): void {
    this.#keeper.close();
  }
}
