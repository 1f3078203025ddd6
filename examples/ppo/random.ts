/** A seeded uniform generator in [0, 1) (xorshift32): the same draws on every engine, in a replay and in a retried task. */
export function uniform(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
