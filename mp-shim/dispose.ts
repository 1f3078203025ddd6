/** `Symbol.asyncDispose` where the runtime (Node 20, the workflow sandbox) does not define it yet. */
(Symbol as { asyncDispose?: symbol }).asyncDispose ??= Symbol.for('Symbol.asyncDispose');

export const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose;
