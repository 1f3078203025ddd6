/**
 * Proximal policy optimisation (the study's PPO case): environment workers are Processes, each
 * stepping its own environment and talking to the main program over a Pipe (action →
 * observation and reward); the main program collects the rollouts and updates a small policy
 * (softmax over three actions, linear in the observation) with PPO's clipped objective and a
 * linear value baseline. The environments live as long as the program, through the checkpoint
 * after each iteration.
 */
import { Pipe, Process, checkpoint, proxyTasks, type Connection } from 'mpflow';
import { uniform } from './random.js';
import type * as T from './tasks.js';

const { environment } = proxyTasks<typeof T>();

export interface Settings {
  iterations: number;
  environments: number;
  /** Steps each environment takes per iteration. */
  steps: number;
  epochs: number;
  learningRate: number;
  clip: number;
  gamma: number;
  lambda: number;
}

export const DEFAULTS: Settings = { iterations: 30, environments: 4, steps: 200, epochs: 8, learningRate: 0.5, clip: 0.2, gamma: 0.95, lambda: 0.9 };

const ACTIONS = 3;
const FEATURES = 3;

/** The environment processes, the main program's ends of their pipes, and what each environment shows now. */
export interface Environments {
  workers: Process[];
  pipes: Connection[];
  observations: T.Observation[];
}

export interface Progress {
  iteration: number;
  /** Policy logits' weights, ACTIONS × FEATURES, row by row. */
  policy: number[];
  /** Each iteration's mean reward per step. */
  meanRewards: number[];
  environments: Environments;
}

interface Sample {
  features: number[];
  action: number;
  probability: number;
  advantage: number;
}

export async function main(settings: Partial<Settings> = {}, progress?: Progress): Promise<{ iterations: number; meanRewards: number[] }> {
  const s = { ...DEFAULTS, ...settings };
  const { policy, meanRewards, environments } = progress ?? { policy: new Array<number>(ACTIONS * FEATURES).fill(0), meanRewards: [] as number[], environments: await start(s.environments) };
  for (let iteration = progress?.iteration ?? 0; iteration < s.iterations; ) {
    const { samples, meanReward } = await rollout(policy, environments, s, iteration);
    for (let epoch = 0; epoch < s.epochs; epoch++) improve(policy, samples, s);
    meanRewards.push(meanReward);
    iteration++;
    await checkpoint(settings, { iteration, policy, meanRewards, environments });
  }
  await Promise.all(environments.pipes.map((pipe) => pipe.send(null)));
  for (const worker of environments.workers) await worker.join();
  return { iterations: meanRewards.length, meanRewards };
}

async function start(count: number): Promise<Environments> {
  const pipes = Array.from({ length: count }, () => Pipe());
  const workers = pipes.map(([, theirs], i) => new Process({ target: environment, args: [theirs, i + 1] }));
  for (const worker of workers) worker.start();
  const observations = await Promise.all(pipes.map(([mine]) => mine.recv<T.Observation>()));
  return { workers, pipes: pipes.map(([mine]) => mine), observations };
}

/** Runs every environment for `steps` steps on the policy; returns the samples with their advantages (GAE). */
async function rollout(policy: number[], environments: Environments, s: Settings, iteration: number) {
  const { pipes } = environments;
  const random = uniform(7_919 * (iteration + 1));
  const trajectories = pipes.map(() => [] as (Omit<Sample, 'advantage'> & { reward: number; value: number; done: boolean })[]);
  for (let t = 0; t < s.steps; t++) {
    const observations = environments.observations;
    const chosen = observations.map((observation) => act(policy, features(observation), random()));
    await Promise.all(pipes.map((pipe, i) => pipe.send(chosen[i].action)));
    const transitions = await Promise.all(pipes.map((pipe) => pipe.recv<T.Transition>()));
    transitions.forEach(({ reward, done }, i) => trajectories[i].push({ ...chosen[i], features: features(observations[i]), reward, done, value: 0 }));
    environments.observations = transitions.map(({ observation }) => observation);
  }
  // The value baseline: a least-squares fit of the discounted returns on the observations.
  const returns = trajectories.map((steps) => discounted(steps.map(({ reward }) => reward), steps.map(({ done }) => done), s.gamma, 1));
  const fit = leastSquares(trajectories.flatMap((steps) => steps.map((step) => valueFeaturesOf(step.features))), returns.flat());
  const samples: Sample[] = [];
  for (const steps of trajectories) {
    for (const step of steps) step.value = dot(fit, valueFeaturesOf(step.features));
    const deltas = steps.map((step, t) => step.reward + (step.done || t === steps.length - 1 ? 0 : s.gamma * steps[t + 1].value) - step.value);
    const advantages = discounted(deltas, steps.map(({ done }) => done), s.gamma, s.lambda);
    steps.forEach((step, t) => samples.push({ features: step.features, action: step.action, probability: step.probability, advantage: advantages[t] }));
  }
  const mean = samples.reduce((sum, { advantage }) => sum + advantage, 0) / samples.length;
  const spread = Math.sqrt(samples.reduce((sum, { advantage }) => sum + (advantage - mean) ** 2, 0) / samples.length) || 1;
  for (const sample of samples) sample.advantage = (sample.advantage - mean) / spread;
  const rewards = trajectories.flat().map(({ reward }) => reward);
  return { samples, meanReward: rewards.reduce((a, b) => a + b, 0) / rewards.length };
}

/** One step of gradient ascent on PPO's clipped surrogate objective over the batch. */
function improve(policy: number[], samples: Sample[], s: Settings): void {
  const gradient = new Array<number>(policy.length).fill(0);
  for (const { features: phi, action, probability, advantage } of samples) {
    const probabilities = softmax(policy, phi);
    const ratio = probabilities[action] / probability;
    if ((advantage > 0 && ratio > 1 + s.clip) || (advantage < 0 && ratio < 1 - s.clip)) continue;
    for (let a = 0; a < ACTIONS; a++) {
      const score = (a === action ? 1 : 0) - probabilities[a];
      for (let j = 0; j < FEATURES; j++) gradient[a * FEATURES + j] += (advantage * ratio * score * phi[j]) / samples.length;
    }
  }
  gradient.forEach((g, i) => (policy[i] += s.learningRate * g));
}

function act(policy: number[], phi: number[], draw: number): { action: number; probability: number } {
  const probabilities = softmax(policy, phi);
  let action = 0;
  for (let cumulative = probabilities[0]; draw > cumulative && action < ACTIONS - 1; ) cumulative += probabilities[++action];
  return { action, probability: probabilities[action] };
}

function softmax(policy: number[], phi: number[]): number[] {
  const logits = Array.from({ length: ACTIONS }, (_, a) => dot(policy.slice(a * FEATURES, (a + 1) * FEATURES), phi));
  const top = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

const features = ([offset, speed]: T.Observation) => [offset, speed * 5, 1];
const valueFeaturesOf = ([offset, speed]: number[]) => [1, Math.abs(offset), offset * offset, speed * speed];

/** Σ (γλ)^k x[t+k] within each episode. */
function discounted(values: number[], done: boolean[], gamma: number, lambda: number): number[] {
  const out = new Array<number>(values.length);
  for (let t = values.length - 1, running = 0; t >= 0; t--) out[t] = running = values[t] + (done[t] ? 0 : gamma * lambda * running);
  return out;
}

/** Ridge-regularised least squares by Gaussian elimination on the normal equations. */
function leastSquares(x: number[][], y: number[]): number[] {
  const n = x[0].length;
  const a = Array.from({ length: n }, (_, i) => [...Array.from({ length: n }, (_, j) => x.reduce((sum, row) => sum + row[i] * row[j], i === j ? 1e-6 : 0)), x.reduce((sum, row, r) => sum + row[i] * y[r], 0)]);
  for (let c = 0; c < n; c++) {
    const pivot = a.slice(c).reduce((best, row, r) => (Math.abs(row[c]) > Math.abs(a[best][c]) ? c + r : best), c);
    [a[c], a[pivot]] = [a[pivot], a[c]];
    for (let r = 0; r < n; r++) if (r !== c) a[r] = a[r].map((v, k) => v - (a[r][c] / a[c][c]) * a[c][k]);
  }
  return a.map((row, i) => row[n] / row[i]);
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, v, i) => sum + v * b[i], 0);
}
