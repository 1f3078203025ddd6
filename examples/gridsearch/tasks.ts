/**
 * A worker of examples/gridsearch: k-fold cross-validation of ridge regression on polynomial
 * features, on a dataset regenerated from its seed (as scikit-learn's make_regression with a
 * random_state), so only the parameters travel.
 */

export interface Dataset {
  rows: number;
  inputs: number;
  seed: number;
}

export interface Parameters {
  alpha: number;
  degree: number;
}

export interface Score extends Parameters {
  /** Mean R² over the held-out folds. */
  r2: number;
}

export function crossValidate(data: Dataset, parameters: Parameters, folds: number): Score {
  const [inputs, targets] = generate(data);
  const features = inputs.map((row) => polynomial(row, parameters.degree));
  let r2 = 0;
  for (let fold = 0; fold < folds; fold++) {
    const rows = features.map((_, i) => i);
    const train = rows.filter((i) => i % folds !== fold);
    const test = rows.filter((i) => i % folds === fold);
    const weights = ridge(train.map((i) => features[i]), train.map((i) => targets[i]), parameters.alpha);
    r2 += rSquared(test.map((i) => dot(weights, features[i])), test.map((i) => targets[i]));
  }
  return { ...parameters, r2: r2 / folds };
}

/** Inputs uniform in [-1, 1) and a smooth nonlinear target with noise. */
function generate({ rows, inputs, seed }: Dataset): [number[][], number[]] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => 2 * random() - 1));
  const y = x.map((row) => row.reduce((sum, v, j) => sum + Math.sin((j + 1) * v) + 0.5 * v * row[(j + 1) % inputs], 0) + 0.3 * (random() - 0.5));
  return [x, y];
}

/** 1 and every product of up to `degree` inputs (with repetition), as scikit-learn's PolynomialFeatures. */
function polynomial(row: number[], degree: number): number[] {
  let terms: [value: number, last: number][] = [[1, 0]];
  const features = [1];
  for (let d = 1; d <= degree; d++) {
    terms = terms.flatMap(([value, last]) => row.slice(last).map((v, j): [number, number] => [value * v, last + j]));
    features.push(...terms.map(([value]) => value));
  }
  return features;
}

/** The weights minimising ‖Xw − y‖² + α‖w‖² (the intercept unpenalised), by Cholesky on the normal equations. */
function ridge(x: number[][], y: number[], alpha: number): number[] {
  const n = x[0].length;
  const gram = Array.from({ length: n }, (_, i) => new Float64Array(n).map((_, j) => (i === j && i > 0 ? alpha : 0)));
  const moment = new Float64Array(n);
  for (let r = 0; r < x.length; r++) {
    const row = x[r];
    for (let i = 0; i < n; i++) {
      moment[i] += row[i] * y[r];
      const line = gram[i];
      for (let j = 0; j <= i; j++) line[j] += row[i] * row[j];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = gram[i][j];
      for (let k = 0; k < j; k++) sum -= gram[i][k] * gram[j][k];
      gram[i][j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / gram[j][j];
    }
  }
  const forward = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = moment[i];
    for (let k = 0; k < i; k++) sum -= gram[i][k] * forward[k];
    forward[i] = sum / gram[i][i];
  }
  const weights = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = forward[i];
    for (let k = i + 1; k < n; k++) sum -= gram[k][i] * weights[k];
    weights[i] = sum / gram[i][i];
  }
  return weights;
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, v, i) => sum + v * b[i], 0);
}

function rSquared(predicted: number[], actual: number[]): number {
  const mean = actual.reduce((a, b) => a + b, 0) / actual.length;
  const residual = actual.reduce((sum, v, i) => sum + (v - predicted[i]) ** 2, 0);
  const total = actual.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return 1 - residual / total;
}
