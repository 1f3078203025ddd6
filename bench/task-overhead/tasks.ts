/** Does nothing: the benchmark measures everything around it. */
export function noop(x: number): number {
  return x;
}
