/**
 * An environment worker of examples/ppo: a point mass on a line that must reach a goal, stepped
 * on the main program's actions, which it receives over a Pipe; it answers each with the next
 * observation and the reward, starts a new episode (a new goal) when one ends, and stops when
 * it receives null.
 */
import type { Connection } from 'mpflow';
import { uniform } from './random.js';

export const EPISODE_STEPS = 20;

/** What the agent sees: the distance to the goal and the speed. */
export type Observation = [offset: number, speed: number];

export interface Transition {
  observation: Observation;
  reward: number;
  done: boolean;
}

export async function environment(connection: Connection, seed: number): Promise<void> {
  const random = uniform(seed);
  let position = 0;
  let speed = 0;
  let goal = 0;
  let step = 0;
  const reset = () => {
    [position, speed, goal, step] = [2 * random() - 1, 0, 1.6 * random() - 0.8, 0];
  };
  const observe = (): Observation => [position - goal, speed];
  reset();
  await connection.send(observe());
  for (let action = await connection.recv<number | null>(); action !== null; action = await connection.recv<number | null>()) {
    speed = 0.8 * speed + 0.05 * (action - 1);
    position = Math.max(-1, Math.min(1, position + speed));
    const reward = -Math.abs(position - goal);
    const done = ++step === EPISODE_STEPS;
    if (done) reset();
    await connection.send({ observation: observe(), reward, done } satisfies Transition);
  }
}
