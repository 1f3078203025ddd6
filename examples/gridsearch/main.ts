/**
 * A grid search with k-fold cross-validation (the study's scikit-learn GridSearchCV case): every
 * point of the parameter grid is submitted to a ProcessPoolExecutor, and the scores are taken
 * as they complete; the best parameters and their score are the result.
 */
import { ProcessPoolExecutor, asCompleted, proxyTasks } from 'mpflow';
import type * as T from './tasks.js';

const { crossValidate } = proxyTasks<typeof T>();

export const GRID = { alpha: [1e-4, 1e-3, 1e-2, 0.1, 1, 10], degree: [1, 2, 3] };

export async function main(rows = 3000, inputs = 6, folds = 5, maxWorkers = 4): Promise<{ best: T.Score; evaluated: number; completionOrder: string[] }> {
  const data = { rows, inputs, seed: 20_240_601 };
  await using executor = new ProcessPoolExecutor(maxWorkers);
  const futures = GRID.alpha.flatMap((alpha) => GRID.degree.map((degree) => executor.submit(crossValidate, data, { alpha, degree }, folds)));
  let best: T.Score | undefined;
  const completionOrder: string[] = [];
  for await (const future of asCompleted(futures)) {
    const score = await future.result();
    completionOrder.push(`α=${score.alpha} degree=${score.degree}`);
    if (!best || score.r2 > best.r2) best = score;
  }
  return { best: best!, evaluated: futures.length, completionOrder };
}
