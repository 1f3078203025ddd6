/**
 * Evolution strategies (Salimans et al., OpenAI's ES, which the study ran with a Manager dict)
 * on CartPole: the policy's parameters live in a shared Array; each generation maps over
 * perturbation seeds, the workers regenerate the noise from its seed, so only seeds and scores
 * travel, and the main program combines the scores into a step. It checkpoints after each
 * generation, so a run of any number of generations stays within one history's limits.
 */
import { Array as SharedArrayOf, Pool, checkpoint, proxyTasks, type SharedArray } from 'mpflow';
import { PARAMETERS, noise } from './policy.js';
import type * as T from './tasks.js';

const { evaluate } = proxyTasks<typeof T>();

export interface Settings {
  generations: number;
  /** Perturbations per generation; each is scored both ways (antithetic sampling). */
  population: number;
  processes: number;
  sigma: number;
  learningRate: number;
  episodes: number;
  maxSteps: number;
}

export interface Progress {
  generation: number;
  parameters: SharedArray<'d'>;
  /** Each generation's mean return over its population. */
  meanReturns: number[];
}

export const DEFAULTS: Settings = { generations: 200, population: 32, processes: 4, sigma: 0.1, learningRate: 0.05, episodes: 2, maxSteps: 500 };

export async function main(settings: Partial<Settings> = {}, progress?: Progress): Promise<{ generations: number; meanReturns: number[]; best: number }> {
  const s = { ...DEFAULTS, ...settings };
  const { parameters, meanReturns }: Omit<Progress, 'generation'> = progress ?? { parameters: await SharedArrayOf('d', PARAMETERS), meanReturns: [] };
  await using pool = new Pool(s.processes);
  for (let generation = progress?.generation ?? 0; generation < s.generations; ) {
    const seeds = Array.from({ length: s.population }, (_, i) => generation * s.population + i + 1);
    const scores = await pool.starmap(evaluate, seeds.map((seed): [SharedArray<'d'>, number, number, number, number] => [parameters, seed, s.sigma, s.episodes, s.maxSteps]));
    const step = gradient(scores);
    const theta = await parameters.slice();
    await parameters.setSlice(0, theta.map((value, i) => value + (s.learningRate / (2 * s.population * s.sigma)) * step[i]));
    meanReturns.push(scores.reduce((sum, { plus, minus }) => sum + plus + minus, 0) / (2 * s.population));
    generation++;
    await checkpoint(settings, { generation, parameters, meanReturns });
  }
  return { generations: meanReturns.length, meanReturns, best: Math.max(...meanReturns) };
}

/** Σ (rank(plus) − rank(minus)) · ε over the population, with returns replaced by centred ranks (fitness shaping). */
function gradient(scores: T.Evaluation[]): Float64Array {
  const returns = scores.flatMap(({ plus, minus }) => [plus, minus]);
  const order = returns.map((_, i) => i).sort((a, b) => returns[a] - returns[b]);
  const ranks = new Float64Array(returns.length);
  order.forEach((index, rank) => (ranks[index] = rank / (returns.length - 1) - 0.5));
  const step = new Float64Array(PARAMETERS);
  scores.forEach(({ seed }, i) => {
    const epsilon = noise(seed);
    const weight = ranks[2 * i] - ranks[2 * i + 1];
    for (let p = 0; p < PARAMETERS; p++) step[p] += weight * epsilon[p];
  });
  return step;
}
