/**
 * Connections (mp-shim/connection.ts): one list of messages per direction, whose reader is its
 * only consumer. `recv` blocks on the list itself, as a queue's `get` does, moving the message
 * into its operation's held list (or popping it, when there is no answer to record); `poll` and
 * `wait` consume nothing, so they are waiters woken by the next `send`, like every other
 * primitive's.
 */
import type { ChainableCommander } from 'ioredis';
import type { OpHandlers, OpsOf, StoreCore } from '../core.js';
import { asBuffer, type Scripts } from '../scripts.js';

export function connectionOps(core: StoreCore): OpHandlers<OpsOf<'connection'>> {
  const { redis, ttl } = core;
  return {
    'connection.send': ({ keys, record, once }, { key, message }) =>
      redis.connectionSend(keys.object('connection', key), keys.part('connection', key, 'watchers'), record, asBuffer(message), keys.wakePrefix, ttl, ...once),
    'connection.recv': (context, op) => {
      const { keys, record, once, held, hooks } = context;
      const messages = keys.object('connection', op.key);
      const [, keep] = once;
      // With no answer to record, a recv is a plain pop: the message crosses once, and never through Lua, which copies large strings slowly.
      if (keep === 0) return op.block ? core.blockingPop(messages, op.timeoutMs, hooks) : redis.lpopBuffer(messages);
      return core.take(context, op, messages, (connection) => connection.connectionRecvBuffer(messages, held, record, ...once));
    },
    'connection.poll': async (context, op) => {
      const { keys } = context;
      const watchers = keys.part('connection', op.key, 'watchers');
      const readable = await core.wait(context, op, watchers, async (watcher) =>
        (await redis.connectionPoll(keys.object('connection', op.key), watchers, watcher, ttl)) === 1 ? true : undefined,
      );
      return readable ?? false;
    },
    // One round trip checks every connection and registers the watcher on each that is not readable.
    'connection.waitAny': async (context, op) => {
      const { keys } = context;
      const watchers = op.keys.map((id) => keys.part('connection', id, 'watchers'));
      const ready = await core.wait(context, op, watchers, async (watcher) => {
        const polls = redis.pipeline() as ChainableCommander & Pick<Scripts, 'connectionPoll'>;
        op.keys.forEach((id, i) => polls.connectionPoll(keys.object('connection', id), watchers[i], watcher, ttl));
        const answers = (await polls.exec())!.map(([error, readable]) => {
          if (error) throw error;
          return readable === 1;
        });
        const readable = op.keys.filter((_, i) => answers[i]);
        if (readable.length === 0) return undefined;
        // Some were ready: the watcher registered on the others is not needed there.
        const registered = watchers.filter((_, i) => !answers[i]);
        if (watcher && registered.length > 0) await registered.reduce((forget, list) => forget.lrem(list, 0, watcher), redis.multi()).exec();
        return readable;
      });
      return ready ?? [];
    },
  };
}
