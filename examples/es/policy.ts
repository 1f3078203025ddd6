/**
 * What the main program and the workers of examples/es share: the CartPole environment, a small
 * neural-network policy, and the seeded noise that both sides regenerate instead of sending.
 */

export const OBSERVATIONS = 4;
export const HIDDEN = 16;
/** The policy's weights, flattened: a hidden layer (weights and biases) and one output. */
export const PARAMETERS = OBSERVATIONS * HIDDEN + HIDDEN + HIDDEN + 1;

/** A seeded generator of uniform numbers in [0, 1) (xorshift32): a retried task draws the same ones. */
export function uniform(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** The perturbation of `seed`: PARAMETERS standard normal numbers (Box–Muller). */
export function noise(seed: number): Float64Array {
  const random = uniform(seed * 2654435761);
  const values = new Float64Array(PARAMETERS);
  for (let i = 0; i < PARAMETERS; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    values[i] = radius * Math.cos(angle);
    if (i + 1 < PARAMETERS) values[i + 1] = radius * Math.sin(angle);
  }
  return values;
}

/** Pushes the cart right when the network's output is positive. */
function action(weights: ArrayLike<number>, observation: number[]): 0 | 1 {
  let output = weights[PARAMETERS - 1];
  for (let h = 0; h < HIDDEN; h++) {
    let sum = weights[OBSERVATIONS * HIDDEN + h];
    for (let o = 0; o < OBSERVATIONS; o++) sum += weights[h * OBSERVATIONS + o] * observation[o];
    output += weights[OBSERVATIONS * HIDDEN + HIDDEN + h] * Math.tanh(sum);
  }
  return output > 0 ? 1 : 0;
}

/** Classic CartPole (Barto, Sutton and Anderson; gym's CartPole-v1 constants): a reward per step the pole stays up. */
export function episodeReturn(weights: ArrayLike<number>, seed: number, maxSteps: number): number {
  const random = uniform(seed);
  let [x, speed, angle, spin] = Array.from({ length: 4 }, () => (random() - 0.5) * 0.1);
  for (let step = 0; step < maxSteps; step++) {
    const force = action(weights, [x, speed, angle, spin]) === 1 ? 10 : -10;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const temp = (force + 0.05 * spin * spin * sin) / 1.1;
    const spinAcceleration = (9.8 * sin - cos * temp) / (0.5 * (4 / 3 - (0.1 * cos * cos) / 1.1));
    const acceleration = temp - (0.05 * spinAcceleration * cos) / 1.1;
    x += 0.02 * speed;
    speed += 0.02 * acceleration;
    angle += 0.02 * spin;
    spin += 0.02 * spinAcceleration;
    if (Math.abs(x) > 2.4 || Math.abs(angle) > 0.2095) return step + 1;
  }
  return maxSteps;
}
