/** A worker of examples/es: scores the policy nudged both ways along one seed's noise. */
import type { SharedArray } from 'mpflow';
import { episodeReturn, noise } from './policy.js';

export interface Evaluation {
  seed: number;
  /** The mean return with the noise added, and with it subtracted. */
  plus: number;
  minus: number;
}

export async function evaluate(parameters: SharedArray<'d'>, seed: number, sigma: number, episodes: number, maxSteps: number): Promise<Evaluation> {
  const theta = await parameters.slice();
  const epsilon = noise(seed);
  const nudged = (sign: number) => theta.map((value, i) => value + sign * sigma * epsilon[i]);
  const meanReturn = (weights: Float64Array) => {
    let total = 0;
    for (let episode = 0; episode < episodes; episode++) total += episodeReturn(weights, seed * 1000 + episode, maxSteps);
    return total / episodes;
  };
  return { seed, plus: meanReturn(nudged(1)), minus: meanReturn(nudged(-1)) };
}
