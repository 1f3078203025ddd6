/** Does nothing: the benchmark measures the main program around it. */
export function noop(x: number): number {
  return x;
}

/** The wall clock, read in a task: the main program's own clock is the workflow's, which stands still while it runs local activities. */
export function clock(): number {
  return Date.now();
}
